package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** Stateless operations shared by the model components. */
public final class Functional {
    private Functional() {
    }

    /**
     * Bytes of attention scores allowed at once: queries are processed in slices so that the
     * [batch*heads, q, k] score matrix stays below this (SD 1.5 at 64x64 latents would need
     * 2 x 8 x 4096 x 4096 x 4 B = 1 GiB in one piece).
     */
    private static volatile long sliceBytes = 256L << 20;

    public static void setAttentionSliceBytes(long bytes) {
        sliceBytes = bytes;
    }

    /** GELU with the exact erf form (torch.nn.functional.gelu default). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** CLIP's quick_gelu: x * sigmoid(1.702 x). */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Owned.mul(x, 1.702f).getNDArrayInternal().sigmoid());
    }

    public static NDArray silu(NDArray x) {
        NDArray sigmoid = x.getNDArrayInternal().sigmoid();
        if (!Scopes.recording()) {
            return sigmoid.muli(x);
        }
        NDArray y = x.mul(sigmoid);
        sigmoid.close();
        return y;
    }

    /**
     * Scaled dot-product attention. q [B, Lq, H*D], k/v [B, Lk, H*D] -> [B, Lq, H*D].
     * {@code mask} (optional) is added to the scores, broadcast over [B*H, Lq, Lk].
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long b = q.getShape().get(0);
        long lq = q.getShape().get(1);
        long lk = k.getShape().get(1);
        long inner = q.getShape().get(2);
        long d = inner / heads;
        float scale = (float) (1.0 / Math.sqrt(d));
        NDArray qh = q.reshape(b, lq, heads, d).transpose(0, 2, 1, 3).reshape(b * heads, lq, d);
        NDArray kt = k.reshape(b, lk, heads, d).transpose(0, 2, 3, 1).reshape(b * heads, d, lk);
        NDArray vh = v.reshape(b, lk, heads, d).transpose(0, 2, 1, 3).reshape(b * heads, lk, d);
        long perRow = b * heads * lk * 4L;
        long rows = Math.max(1, Math.min(lq, sliceBytes / Math.max(1, perRow)));
        NDArray out;
        if (rows >= lq) {
            out = attend(qh, kt, vh, scale, mask);
        } else {
            NDList parts = new NDList();
            for (long s = 0; s < lq; s += rows) {
                long e = Math.min(lq, s + rows);
                NDArray m = mask == null ? null : sliceRows(mask, s, e);
                long from = s;
                parts.add(Scopes.keep(() -> attend(qh.get(new NDIndex(":, {}:{}", from, e)), kt, vh, scale, m)));
            }
            out = NDArrays.concat(parts, 1);
        }
        return out.reshape(b, heads, lq, d).transpose(0, 2, 1, 3).reshape(b, lq, inner);
    }

    private static NDArray sliceRows(NDArray mask, long s, long e) {
        Shape ms = mask.getShape();
        return ms.get(ms.dimension() - 2) == 1 ? mask : mask.get(new NDIndex("..., {}:{}, :", s, e));
    }

    private static NDArray attend(NDArray q, NDArray kt, NDArray v, float scale, NDArray mask) {
        NDArray scores = Owned.mul(q, scale).matMul(kt);
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(v);
    }
}
