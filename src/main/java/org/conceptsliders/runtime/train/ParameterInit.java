package org.conceptsliders.runtime.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.Parameter;

import java.util.Map;

/**
 * Fills every parameter of a module for training from scratch, following each parameter's
 * {@link Parameter.Init} (PyTorch's default initialisation of that layer kind), from a
 * {@link TrainRandom} so that a seed gives the same model on every device.
 */
public final class ParameterInit {
    private ParameterInit() {
    }

    /** Creates the arrays in {@code manager} as {@code dtype}; arrays set before stay with their owner. */
    public static void initialize(Module root, NDManager manager, DataType dtype, TrainRandom rng) {
        for (Map.Entry<String, Parameter> e : root.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            float[] v = new float[Math.toIntExact(p.shape().size())];
            switch (p.init()) {
                case FAN_IN_UNIFORM -> {
                    double bound = 1.0 / Math.sqrt(p.fanIn());
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
                    }
                }
                case NORMAL_002 -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.02 * rng.nextGaussian());
                    }
                }
                case ONES -> java.util.Arrays.fill(v, 1f);
                case ZEROS -> { }
            }
            NDArray f = Owned.floats(manager, v, p.shape());
            NDArray a = f.toType(dtype, false);
            if (a != f) {
                f.close();
            }
            a.setName(e.getKey());
            p.set(a);
        }
    }
}
