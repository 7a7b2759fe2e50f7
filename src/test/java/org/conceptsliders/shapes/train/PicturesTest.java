package org.conceptsliders.shapes.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.nd.Owned;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PicturesTest {

    @Test
    void edgeTermIsZeroForAFlatErrorAndCountsEachStepOnce() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray flat = Owned.floats(m, new float[2 * 3 * 4 * 4], new Shape(2, 3, 4, 4)).add(Owned.scalar(m, 0.3f));
            assertEquals(0f, Pictures.edgeL1(flat).getFloat(), 1e-7f);
            // one vertical step of height 1 between columns 1 and 2: 1 of the 3 horizontal differences per row
            float[] step = new float[2 * 3 * 4 * 4];
            for (int i = 0; i < step.length; i++) {
                step[i] = i % 4 >= 2 ? 1f : 0f;
            }
            NDArray e = Owned.floats(m, step, new Shape(2, 3, 4, 4));
            assertEquals(1f / 3, Pictures.edgeL1(e).getFloat(), 1e-6f);
        }
    }

    @Test
    void weightedErrorsCountForegroundPixelsByTheirWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 1 picture, 3 channels, 1 x 2 pixels: error 0.5 on the background pixel (weight 1), 2 on the shape (weight 3)
            NDArray error = Owned.floats(m, new float[] {0.5f, 2f, 0.5f, 2f, 0.5f, 2f}, new Shape(1, 3, 1, 2));
            NDArray weights = Owned.floats(m, new float[] {1f, 3f}, new Shape(1, 1, 1, 2));
            assertEquals((0.5f + 3 * 2f) / 4, Pictures.weightedL1(error, weights).getFloat(), 1e-6f);
            assertEquals((0.25f + 3 * 4f) / 4, Pictures.weightedL2(error, weights).getFloat(), 1e-6f);
        }
    }
}
