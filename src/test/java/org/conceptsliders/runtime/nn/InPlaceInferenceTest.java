package org.conceptsliders.runtime.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.ParameterInit;
import org.conceptsliders.runtime.train.TrainRandom;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GroupNorm and SiLU update their own intermediates in place when no graph is recorded: the
 * result must be the one the recording path gives, the input must be left alone, and the
 * recording path must still give gradients.
 */
class InPlaceInferenceTest {

    @Test
    void groupNormAndSiluGiveTheSameValuesWithAndWithoutAutograd() {
        try (NDManager m = NDManager.newBaseManager()) {
            GroupNorm norm = new GroupNorm(4, 8, 1e-5f);
            ParameterInit.initialize(norm, m, DataType.FLOAT32, new TrainRandom(3));
            // a non-trivial affine, so that the in-place multiply-add shows
            norm.namedParameters().get("weight").set(new TrainRandom(4).randn(m, new Shape(8)));
            norm.namedParameters().get("bias").set(new TrainRandom(5).randn(m, new Shape(8)));
            NDArray x = new TrainRandom(6).randn(m, new Shape(2, 8, 5, 5));
            check(m, x, norm::forward);
            check(m, x, Functional::silu);
        }
    }

    private static void check(NDManager m, NDArray x, UnaryOperator<NDArray> op) {
        float[] input = x.toFloatArray();
        float[] inference;
        try (NoGrad ignored = NoGrad.enter()) {
            inference = op.apply(x).toFloatArray();
        }
        assertArrayEquals(input, x.toFloatArray(), "the input must not change");
        NDArray leaf = x.duplicate();
        leaf.setRequiresGradient(true);
        float[] recorded;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = op.apply(leaf);
            recorded = y.toFloatArray();
            gc.backward(y.square().sum());
        }
        assertArrayEquals(recorded, inference, 1e-6f);
        float[] grad = leaf.getGradient().toFloatArray();
        double norm = 0;
        for (float g : grad) {
            assertTrue(Float.isFinite(g));
            norm += g * g;
        }
        assertTrue(norm > 0, "the recording path must give a gradient");
    }
}
