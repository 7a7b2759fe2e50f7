package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Upsample2D and Downsample2D with an identity 3x3 convolution, so that only the resampling shows. */
class ResamplingTest {

    private static void identityConv(Module m, NDManager manager) {
        float[] k = new float[9];
        k[4] = 1;
        m.namedParameters().get("conv.weight").set(manager.create(k, new Shape(1, 1, 3, 3)));
        m.namedParameters().get("conv.bias").set(manager.zeros(new Shape(1)));
    }

    @Test
    void upsampleDoublesByNearestNeighbour() {
        try (NDManager m = NDManager.newBaseManager()) {
            Upsample2D up = new Upsample2D(1, 1);
            identityConv(up, m);
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up.forward(x).toFloatArray());
        }
    }

    @Test
    void upsampleToGivenSizeUsesTorchNearestIndices() {
        try (NDManager m = NDManager.newBaseManager()) {
            Upsample2D up = new Upsample2D(1, 1);
            identityConv(up, m);
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            // torch: source index floor(i * 2/3) for rows -> 0,0,1; floor(j * 2/5) for columns -> 0,0,0,1,1
            assertArrayEquals(new float[] {1, 1, 1, 2, 2, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4}, up.forward(x, 3, 5).toFloatArray());
        }
    }

    @Test
    void downsampleWithoutPaddingPadsBottomAndRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Downsample2D down = new Downsample2D(1, 1, 0);
            identityConv(down, m);
            // 4x4 input: stride-2 windows centred at (1,1), (1,3), (3,1), (3,3); the last ones reach the zero padding.
            NDArray x = m.arange(1f, 17f).reshape(1, 1, 4, 4);
            assertArrayEquals(new float[] {6, 8, 14, 16}, down.forward(x).toFloatArray());
            assertArrayEquals(new long[] {1, 1, 2, 2}, down.forward(x).getShape().getShape());
        }
    }
}
