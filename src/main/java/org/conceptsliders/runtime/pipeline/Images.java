package org.conceptsliders.runtime.pipeline;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Conversions between packed ARGB pixels and [B, 3, H, W] float tensors in [0, 1]. */
public final class Images {
    private Images() {
    }

    /** Image {@code b} of a [B, 3, H, W] batch in [0, 1] as packed opaque ARGB, rounded to 8 bits. */
    public static int[] toArgb(NDArray batch01, int b) {
        Shape s = batch01.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] v = batch01.get(b).toType(DataType.FLOAT32, false).toFloatArray();
        int plane = w * h;
        int[] argb = new int[plane];
        for (int i = 0; i < plane; i++) {
            argb[i] = 0xff000000 | (to8(v[i]) << 16) | (to8(v[plane + i]) << 8) | to8(v[2 * plane + i]);
        }
        return argb;
    }

    private static int to8(float x) {
        return Math.max(0, Math.min(255, Math.round(x * 255f)));
    }

    /** Packed ARGB pixels as a [1, 3, H, W] float32 tensor in [0, 1] (alpha ignored). */
    public static NDArray fromArgb(int[] argb, int width, int height, NDManager m) {
        int plane = width * height;
        float[] v = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            v[i] = ((argb[i] >> 16) & 0xff) / 255f;
            v[plane + i] = ((argb[i] >> 8) & 0xff) / 255f;
            v[2 * plane + i] = (argb[i] & 0xff) / 255f;
        }
        return Owned.floats(m, v, new Shape(1, 3, height, width));
    }
}
