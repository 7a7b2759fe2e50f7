package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.GroupNorm;
import org.conceptsliders.runtime.nn.LayerNorm;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.testing.GradientCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our layers are differentiable as written: autograd agrees with finite differences in float64. */
class GradientCheckTest {
    private static final double TOL = 1e-6;
    private NDManager m;
    private TrainRandom rng;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        rng = new TrainRandom(11);
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray random(long... shape) {
        return rng.randn(m, new Shape(shape)).toType(DataType.FLOAT64, false);
    }

    /** Random weights (norm weights off 1, biases off 0), the input x and sum(f(x) * r) as the loss. */
    private void check(String what, Module module, NDArray x, UnaryOperator<NDArray> f) {
        ParameterInit.initialize(module, m, DataType.FLOAT64, rng);
        List<NDArray> leaves = new ArrayList<>();
        for (Parameter p : module.namedParameters().values()) {
            p.set(p.value().add(random(p.shape().getShape()).mul(0.3)));
            leaves.add(p.value());
        }
        leaves.add(x);
        NDArray r = random(f.apply(x).getShape().getShape());
        GradientCheck.Result res = GradientCheck.check(leaves, () -> f.apply(x).mul(r).sum(), 12, 5);
        System.out.printf("gradient check %-10s relative error %.2e over %d coordinates%n", what, res.relativeError(), res.coordinates());
        assertTrue(res.relativeError() < TOL, what + ": " + res);
    }

    @Test
    void linear() {
        Linear lin = new Linear(5, 4, true);
        check("Linear", lin, random(2, 3, 5), lin::forward);
    }

    @Test
    void conv2dWithStrideAndPadding() {
        Conv2d conv = new Conv2d(3, 4, 3, 2, 1);
        check("Conv2d", conv, random(2, 3, 6, 6), conv::forward);
    }

    @Test
    void groupNorm() {
        GroupNorm gn = new GroupNorm(2, 4, 1e-5f);
        check("GroupNorm", gn, random(2, 4, 3, 3), gn::forward);
    }

    @Test
    void layerNorm() {
        LayerNorm ln = new LayerNorm(6, 1e-5f);
        check("LayerNorm", ln, random(2, 3, 6), ln::forward);
    }

    @Test
    void attentionWithMaskSlicedAndWhole() {
        NDArray q = random(2, 3, 8);
        NDArray k = random(2, 5, 8);
        NDArray v = random(2, 5, 8);
        NDArray mask = random(1, 3, 5);
        NDArray r = random(2, 3, 8);
        for (long slice : new long[] {256L << 20, 1}) {
            Functional.setAttentionSliceBytes(slice);
            try {
                GradientCheck.Result res = GradientCheck.check(List.of(q, k, v),
                        () -> Functional.attention(q, k, v, 2, mask).mul(r).sum(), 16, 3);
                System.out.printf("gradient check attention (slice %d B) relative error %.2e over %d coordinates%n",
                        slice, res.relativeError(), res.coordinates());
                assertTrue(res.relativeError() < TOL, "attention: " + res);
            } finally {
                Functional.setAttentionSliceBytes(256L << 20);
            }
        }
    }
}
