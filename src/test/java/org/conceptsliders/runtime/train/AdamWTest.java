package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Parameter;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamWTest {
    private static final float[] W0 = {0.5f, -1.25f, 2.0f, 0.1f};
    private static final float[] G1 = {0.3f, -0.7f, 1.5f, 0f};
    private static final float[] G2 = {-0.2f, 0.4f, 0.9f, 2f};

    /** torch.optim.AdamW written out in double for one parameter and a list of gradients. */
    private static double[] reference(double lr, double wd, double clipNorm, float[]... grads) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] w = new double[W0.length], m = new double[W0.length], v = new double[W0.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = W0[i];
        }
        for (int t = 1; t <= grads.length; t++) {
            float[] g = grads[t - 1];
            double norm = 0;
            for (float x : g) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            double c = clipNorm > 0 && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
            for (int i = 0; i < w.length; i++) {
                double gi = g[i] * c;
                w[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mh = m[i] / (1 - Math.pow(b1, t));
                double vh = v[i] / (1 - Math.pow(b2, t));
                w[i] -= lr * mh / (Math.sqrt(vh) + eps);
            }
        }
        return w;
    }

    /** Runs AdamW on a 2x2 Linear weight whose loss is sum(w * g), so that the gradient is exactly g. */
    private static float[] adam(DataType dtype, double lr, double wd, double clipNorm, float[]... grads) {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(2, 2, false);
            lin.weight().set(m.create(W0, lin.weight().shape()).toType(dtype, false));
            TrainableSet set = TrainableSet.select(lin, n -> true);
            try (AdamW opt = AdamW.builder().setLearningRate(LrSchedule.constant(lr)).optWeightDecay(wd)
                    .optMaxGradNorm(clipNorm).build(set)) {
                for (float[] g : grads) {
                    NDArray w = lin.weight().value();
                    try (NDManager step = m.newSubManager();
                         var c = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        NDArray gArr = step.create(g, w.getShape()).toType(dtype, false);
                        c.backward(w.mul(gArr).sum());
                    }
                    opt.step();
                }
                assertEquals(grads.length, opt.stepCount());
                return lin.weight().value().toType(DataType.FLOAT32, false).toFloatArray();
            }
        }
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void oneStepEqualsTheFormula() {
        assertClose(reference(1e-2, 0.01, 0, G1), adam(DataType.FLOAT32, 1e-2, 0.01, 0, G1), 1e-6);
    }

    @Test
    void twoStepsWithStrongDecayEqualTheFormula() {
        assertClose(reference(0.1, 0.5, 0, G1, G2), adam(DataType.FLOAT32, 0.1, 0.5, 0, G1, G2), 1e-6);
    }

    @Test
    void clippingScalesTheGlobalNorm() {
        assertClose(reference(0.1, 0, 0.5, G1, G2), adam(DataType.FLOAT32, 0.1, 0, 0.5, G1, G2), 1e-6);
    }

    @Test
    void halfPrecisionWeightsFollowFloat32MasterWeights() {
        // 1e-4 steps on weights near 1 are below fp16's rounding step (~5e-4): without master weights nothing would move
        double[] ref = reference(1e-4, 0, 0, G1, G1, G1, G1, G1, G1, G1, G1);
        float[] got = adam(DataType.FLOAT16, 1e-4, 0, 0, G1, G1, G1, G1, G1, G1, G1, G1);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], got[i], Math.ulp((float) ref[i]) * 2048 + 1e-3 * Math.abs(ref[i]), "element " + i); // one fp16 rounding
        }
    }

    @Test
    void gradientsAreZeroedAfterTheStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(2, 2, true);
            ParameterInit.initialize(lin, m, DataType.FLOAT32, new TrainRandom(3));
            TrainableSet set = TrainableSet.select(lin, n -> true);
            try (AdamW opt = AdamW.builder().setLearningRate(LrSchedule.constant(0.1)).build(set)) {
                try (var c = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    c.backward(lin.weight().value().sum());
                }
                int before = m.getManagedArrays().size();
                opt.step();
                assertEquals(before, m.getManagedArrays().size(), "the step leaves no array in the weights' manager");
            }
            for (Parameter p : set.parameters().values()) {
                try (NDArray g = p.value().getGradient()) {
                    assertArrayEquals(new float[(int) p.shape().size()], g.toFloatArray());
                }
            }
        }
    }

    @Test
    void schedulesFollowDiffusers() {
        LrSchedule warm = LrSchedule.constantWithWarmup(1.0, 4);
        assertEquals(0.0, warm.lr(0));
        assertEquals(0.5, warm.lr(2));
        assertEquals(1.0, warm.lr(4));
        assertEquals(1.0, warm.lr(100));
        LrSchedule cos = LrSchedule.cosineWithWarmup(2.0, 2, 12);
        assertEquals(1.0, cos.lr(1));
        assertEquals(2.0, cos.lr(2));
        assertEquals(1.0, cos.lr(7), 1e-12);
        assertEquals(0.0, cos.lr(12), 1e-12);
        assertEquals(3e-4, LrSchedule.constant(3e-4).lr(1000));
        // warmup 2, constant to step 10, then half a cosine to 0 at step 20
        LrSchedule wsd = LrSchedule.warmupStableDecay(2.0, 2, 10, 20);
        assertEquals(1.0, wsd.lr(1));
        assertEquals(2.0, wsd.lr(10));
        assertEquals(1.0, wsd.lr(15), 1e-12);
        assertEquals(0.0, wsd.lr(20), 1e-12);
        assertEquals(2.0, LrSchedule.warmupStableDecay(2.0, 2, 0, 20).lr(20));
    }
}
