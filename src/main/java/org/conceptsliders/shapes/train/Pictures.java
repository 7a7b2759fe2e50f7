package org.conceptsliders.shapes.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** Opaque ARGB pictures to and from the VAE's [B, 3, H, W] tensors in [-1, 1]. */
final class Pictures {
    private Pictures() {
    }

    static NDArray toTensor(int[][] argb, int width, int height, NDManager manager) {
        int plane = width * height;
        float[] v = new float[argb.length * 3 * plane];
        for (int b = 0; b < argb.length; b++) {
            for (int p = 0; p < plane; p++) {
                int c = argb[b][p];
                int o = b * 3 * plane + p;
                v[o] = ((c >> 16) & 0xFF) / 127.5f - 1f;
                v[o + plane] = ((c >> 8) & 0xFF) / 127.5f - 1f;
                v[o + 2 * plane] = (c & 0xFF) / 127.5f - 1f;
            }
        }
        return Owned.floats(manager, v, new Shape(argb.length, 3, height, width));
    }

    private static int background(int[] argb, int width, int height) {
        int[] corners = {argb[0], argb[width - 1], argb[(height - 1) * width], argb[height * width - 1]};
        int best = corners[0];
        int bestCount = 0;
        for (int c : corners) {
            int count = 0;
            for (int d : corners) {
                count += c == d ? 1 : 0;
            }
            if (count > bestCount) {
                best = c;
                bestCount = count;
            }
        }
        return best;
    }

    /** The {@code crop x crop} window at ({@code left}, {@code top}) of a square {@code size x size} picture. */
    static int[] crop(int[] argb, int size, int crop, int left, int top) {
        if (crop == size) {
            return argb;
        }
        int[] out = new int[crop * crop];
        for (int y = 0; y < crop; y++) {
            System.arraycopy(argb, (top + y) * size + left, out, y * crop, crop);
        }
        return out;
    }

    /** Clamps to [-1, 1] and rounds to 8 bits, as diffusers' image post-processing does. */
    static int[][] fromTensor(NDArray images) {
        Shape s = images.getShape();
        int batch = (int) s.get(0);
        int plane = (int) (s.get(2) * s.get(3));
        float[] v = images.toFloatArray();
        int[][] out = new int[batch][plane];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < plane; p++) {
                int o = b * 3 * plane + p;
                out[b][p] = 0xFF000000 | byteOf(v[o]) << 16 | byteOf(v[o + plane]) << 8 | byteOf(v[o + 2 * plane]);
            }
        }
        return out;
    }

    private static int byteOf(float x) {
        return Math.round(Math.max(0f, Math.min(1f, (x + 1f) / 2f)) * 255f);
    }

    /**
     * Per-pixel loss weights [B, 1, H, W]: 1 on the background, {@code 1 + extra} where the
     * picture differs from its background, the most common of its four corners (the shape, its
     * outline and its blurred edge; a crop may put the shape in one corner).
     */
    static NDArray foregroundWeights(int[][] argb, int width, int height, double extra, NDManager manager) {
        int plane = width * height;
        float[] w = new float[argb.length * plane];
        for (int b = 0; b < argb.length; b++) {
            int bg = background(argb[b], width, height);
            for (int p = 0; p < plane; p++) {
                int c = argb[b][p];
                int d = Math.max(Math.abs(((c >> 16) & 0xFF) - ((bg >> 16) & 0xFF)),
                        Math.max(Math.abs(((c >> 8) & 0xFF) - ((bg >> 8) & 0xFF)), Math.abs((c & 0xFF) - (bg & 0xFF))));
                w[b * plane + p] = d > 12 ? (float) (1 + extra) : 1f;
            }
        }
        return Owned.floats(manager, w, new Shape(argb.length, 1, height, width));
    }

    /** The mean absolute {@code error} [B, 3, H, W] under {@link #foregroundWeights} [B, 1, H, W]. */
    static NDArray weightedL1(NDArray error, NDArray weights) {
        return weightedMean(error.abs(), weights);
    }

    /** The mean squared {@code error} [B, 3, H, W] under {@link #foregroundWeights} [B, 1, H, W]. */
    static NDArray weightedL2(NDArray error, NDArray weights) {
        return weightedMean(error.square(), weights);
    }

    /**
     * The reconstruction loss of both VAE stages: {@link #weightedL1} plus {@code edgeWeight} times
     * {@link #edgeL1} plus {@code mseWeight} times {@link #weightedL2} (a term of weight 0 is left out).
     */
    static NDArray reconstructionLoss(NDArray error, NDArray weights, double edgeWeight, double mseWeight) {
        NDArray loss = weightedL1(error, weights);
        if (edgeWeight > 0) {
            loss = loss.add(Owned.mul(edgeL1(error), (float) edgeWeight));
        }
        if (mseWeight > 0) {
            loss = loss.add(Owned.mul(weightedL2(error, weights), (float) mseWeight));
        }
        return loss;
    }

    private static NDArray weightedMean(NDArray perChannel, NDArray weights) {
        return perChannel.mul(weights).sum().div(Owned.mul(weights.sum(), 3));
    }

    /**
     * The mean absolute horizontal plus vertical difference of {@code error} [B, 3, H, W]: zero for
     * an error that is constant across an edge, large for an edge drawn soft or in the wrong place,
     * which the per-pixel L1 spreads thin.
     */
    static NDArray edgeL1(NDArray error) {
        NDArray dx = error.get(new NDIndex(":, :, :, 1:")).sub(error.get(new NDIndex(":, :, :, :-1"))).abs().mean();
        NDArray dy = error.get(new NDIndex(":, :, 1:, :")).sub(error.get(new NDIndex(":, :, :-1, :"))).abs().mean();
        return dx.add(dy);
    }
}
