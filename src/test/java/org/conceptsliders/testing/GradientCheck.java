package org.conceptsliders.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;

import java.nio.DoubleBuffer;
import java.util.List;
import java.util.function.Supplier;

/**
 * Checks autograd against central finite differences, (L(x + h e_i) - L(x - h e_i)) / 2h, on
 * randomly chosen coordinates of float64 leaves (parameters or inputs). In float64 with
 * h = 1e-6 the difference quotient is good to ~1e-8 relative, so an error far above that
 * means the forward pass is not differentiable as written (a detached op, a wrong view).
 */
public final class GradientCheck {
    private GradientCheck() {
    }

    /** Relative L2 error ||autograd - numeric|| / ||numeric|| over all checked coordinates. */
    public record Result(double relativeError, int coordinates) {
    }

    public static Result check(List<NDArray> leaves, Supplier<NDArray> loss, int perLeaf, long seed) {
        double h = 1e-6;
        for (NDArray leaf : leaves) {
            if (leaf.getDataType() != DataType.FLOAT64) {
                throw new IllegalArgumentException("gradient check needs FLOAT64 leaves, found " + leaf.getDataType());
            }
            leaf.setRequiresGradient(true);
            JniUtils.zeroGrad((PtNDArray) leaf); // gradients accumulate across backward passes
        }
        double[][] grads = new double[leaves.size()][];
        try (NDScope scope = new NDScope(); GradientCollector c = Engine.getInstance().newGradientCollector()) {
            c.backward(loss.get());
            for (int i = 0; i < leaves.size(); i++) {
                grads[i] = leaves.get(i).getGradient().toDoubleArray();
            }
        }
        TrainRandom rng = new TrainRandom(seed);
        double diff = 0;
        double norm = 0;
        int count = 0;
        for (int i = 0; i < leaves.size(); i++) {
            NDArray leaf = leaves.get(i);
            double[] x = leaf.toDoubleArray();
            for (int k = 0; k < Math.min(perLeaf, x.length); k++) {
                int j = perLeaf >= x.length ? k : rng.nextInt(x.length);
                double orig = x[j];
                x[j] = orig + h;
                double plus = evaluate(leaf, x, loss);
                x[j] = orig - h;
                double minus = evaluate(leaf, x, loss);
                x[j] = orig;
                double numeric = (plus - minus) / (2 * h);
                diff += (grads[i][j] - numeric) * (grads[i][j] - numeric);
                norm += numeric * numeric;
                count++;
            }
            set(leaf, x);
            leaf.setRequiresGradient(false);
        }
        return new Result(Math.sqrt(diff / norm), count);
    }

    private static double evaluate(NDArray leaf, double[] values, Supplier<NDArray> loss) {
        set(leaf, values);
        try (NoGrad ignored = NoGrad.enter(); NDScope scope = new NDScope()) {
            return loss.get().getDouble();
        }
    }

    private static void set(NDArray leaf, double[] values) {
        try (NoGrad ignored = NoGrad.enter()) {
            leaf.set(DoubleBuffer.wrap(values));
        }
    }
}
