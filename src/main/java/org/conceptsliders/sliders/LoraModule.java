package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Conv2d;

/**
 * One low-rank update of a slider file: {@code delta W = up . [mid .] down * alpha / rank}
 * (kohya's {@code LoRAModule}, LyCORIS' {@code LoConModule} with its optional Tucker core
 * {@code lora_mid}), optionally DoRA-decomposed by {@code dora_scale}.
 *
 * <p>For a conv layer without a core, {@code down} is a kxk conv with the layer's stride and
 * padding and {@code up} a 1x1 conv; with a core, {@code down} and {@code up} are 1x1 and the
 * core {@code mid} carries the kernel, stride and padding.
 *
 * @param component which model part the file addresses
 * @param flatName  the layer's name with '.' replaced by '_', as the file spells it
 * @param key       the file's own name for the module, for messages
 * @param alpha     the file's alpha, or NaN when it has none (then alpha = rank)
 */
public record LoraModule(Component component, String flatName, String key, NDArray down, NDArray up,
                         NDArray mid, NDArray doraScale, float alpha) {

    /** The model parts a LoRA file may address. */
    public enum Component { UNET, TEXT_ENCODER, TEXT_ENCODER_2 }

    public long rank() {
        return down.getShape().get(0);
    }

    /** alpha / rank: the factor the low-rank product is multiplied by at scale 1. */
    public double alphaOverRank() {
        return (Float.isNaN(alpha) ? rank() : alpha) / (double) rank();
    }

    public long inFeatures() {
        return down.getShape().get(1);
    }

    public long outFeatures() {
        return up.getShape().get(0);
    }

    /** Kernel size of the update (1 for a linear one). */
    long kernel() {
        NDArray k = mid != null ? mid : down;
        return k.getShape().dimension() == 4 ? k.getShape().get(3) : 1;
    }

    /**
     * Why this module cannot adapt {@code layer}, or null when it fits: its input and output
     * widths and its kernel must be the layer's.
     */
    String misfit(AdaptableLayer layer) {
        Shape w = layer.weight().shape();
        long kernel = w.dimension() == 4 ? w.get(3) : 1;
        if (inFeatures() != w.get(1) || outFeatures() != w.get(0) || kernel() != kernel) {
            return key + " maps " + inFeatures() + " -> " + outFeatures() + " (kernel " + kernel() + ") but layer "
                    + flatName + " maps " + w.get(1) + " -> " + w.get(0) + " (kernel " + kernel + ")";
        }
        if (up.getShape().get(1) != rank() || (mid != null && mid.getShape().get(0) != rank())) {
            return key + ": lora_up " + up.getShape() + " does not match the rank " + rank() + " of lora_down " + down.getShape();
        }
        return null;
    }

    /** {@code up(down(x)) * factor}, evaluated as the layer would (conv or linear). */
    NDArray forward(AdaptableLayer layer, NDArray x, double factor) {
        NDArray h;
        if (layer instanceof Conv2d conv) {
            if (mid == null) {
                h = Conv2d.conv(x, as4d(down), null, conv.stride(), conv.padding());
            } else {
                h = Conv2d.conv(Conv2d.conv(x, as4d(down), null, 1, 0), mid, null, conv.stride(), conv.padding());
            }
            h = Conv2d.conv(h, as4d(up), null, 1, 0);
        } else {
            h = linear(linear(x, as2d(down)), as2d(up));
        }
        return Owned.muli(h, (float) factor);
    }

    /** {@code delta W * factor} in the layer weight's shape, for merging. */
    NDArray weightDelta(Shape weightShape, double factor) {
        long r = rank();
        NDArray u = up.reshape(outFeatures(), r);
        NDArray d;
        if (mid == null) {
            d = u.matMul(down.reshape(r, -1));
        } else {
            long k = kernel();
            // up[o,r] mid[r,s,k,k] down[s,i] -> [o,i,k,k]
            NDArray um = u.matMul(mid.reshape(r, -1)).reshape(outFeatures(), r, k, k)
                    .transpose(0, 2, 3, 1).reshape(-1, r);
            d = um.matMul(down.reshape(r, -1)).reshape(outFeatures(), k, k, -1).transpose(0, 3, 1, 2);
        }
        return Owned.muli(d.reshape(weightShape), (float) factor);
    }

    private static NDArray linear(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }

    private static NDArray as4d(NDArray w) {
        return w.getShape().dimension() == 4 ? w : w.reshape(w.getShape().get(0), w.getShape().get(1), 1, 1);
    }

    private static NDArray as2d(NDArray w) {
        return w.getShape().dimension() == 2 ? w : w.reshape(w.getShape().get(0), -1);
    }
}
