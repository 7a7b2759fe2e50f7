package org.conceptsliders.runtime.noise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TorchGeneratorTest {

    @Test
    void randnMatchesTorchBitForBit() throws IOException {
        try (SafeTensors st = SafeTensors.open(Reference.path("noise/randn.safetensors"))) {
            assertEquals(4, st.keys().size());
            for (String key : st.keys()) {
                long seed = Long.parseLong(key.substring("randn_seed_".length()));
                long[] shape = st.info(key).shape();
                float[] expected = st.floats(key);
                float[] actual = new TorchGenerator(seed).randn(shape);
                double maxAbs = 0;
                for (int i = 0; i < expected.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(expected[i] - actual[i]));
                }
                assertEquals(0.0, maxAbs, key + Arrays.toString(shape) + ": max abs diff");
                assertArrayEquals(expected, actual, key);
            }
        }
    }

    @Test
    void smallTensorsTakeTheScalarPath() {
        // torch.manual_seed(0); torch.randn(2, 3) and torch.manual_seed(42); torch.randn(2, 3)
        assertArrayEquals(new float[] {1.5410f, -0.2934f, -2.1788f, 0.5684f, -1.0845f, -1.3986f},
                new TorchGenerator(0).randn(2, 3), 5e-5f);
        assertArrayEquals(new float[] {0.3367f, 0.1288f, 0.2345f, 0.2303f, -1.1229f, -0.1863f},
                new TorchGenerator(42).randn(2, 3), 5e-5f);
    }

    @Test
    void consecutiveCallsContinueTheStream() {
        TorchGenerator g = new TorchGenerator(7);
        float[] a = g.randn(3);
        float[] b = g.randn(3); // starts with the sine cached by the third draw
        float[] whole = new TorchGenerator(7).randn(6);
        assertArrayEquals(whole, concat(a, b));

        TorchGenerator v = new TorchGenerator(7);
        float[] c = v.randn(16);
        float[] d = v.randn(4, 4);
        assertArrayEquals(new TorchGenerator(7).randn(32), concat(c, d));
    }

    @Test
    void onlyTheLow32BitsOfTheSeedCount() {
        assertArrayEquals(new TorchGenerator(5).randn(20), new TorchGenerator((1L << 32) + 5).randn(20));
    }

    @Test
    void ndArrayHasTheShapeAndValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = new TorchGenerator(1234).randn(m, new Shape(1, 4, 13, 7));
            assertEquals(new Shape(1, 4, 13, 7), a.getShape());
            assertArrayEquals(new TorchGenerator(1234).randn(1, 4, 13, 7), a.toFloatArray());
        }
    }

    @Test
    void rejectsNegativeDimensions() {
        assertThrows(IllegalArgumentException.class, () -> new TorchGenerator(0).randn(2, -1));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
