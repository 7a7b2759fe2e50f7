package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * diffusers {@code ResnetBlock2D} with {@code time_embedding_norm="default"} and SiLU:
 * {@code (shortcut(x) + conv2(silu(norm2(conv1(silu(norm1(x))) + time_emb_proj(silu(temb)))))) / output_scale_factor}.
 * The time term exists only when {@code tembChannels > 0} (the VAE has none); the shortcut is a
 * 1x1 {@code conv_shortcut} when the channel count changes.
 */
public final class ResnetBlock2D extends Module {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final float outputScaleFactor;

    public ResnetBlock2D(long in, long out, long tembChannels, int groups, float eps, float outputScaleFactor) {
        this.norm1 = child("norm1", new GroupNorm(groups, in, eps));
        this.conv1 = child("conv1", new Conv2d(in, out, 3, 1, 1));
        this.timeEmbProj = tembChannels > 0 ? child("time_emb_proj", new Linear(tembChannels, out, true)) : null;
        this.norm2 = child("norm2", new GroupNorm(groups, out, eps));
        this.conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1));
        this.convShortcut = in != out ? child("conv_shortcut", new Conv2d(in, out, 1, 1, 0)) : null;
        this.outputScaleFactor = outputScaleFactor;
    }

    /** {@code temb} [B, tembChannels], or null for a block built without a time embedding. */
    public NDArray forward(NDArray x, NDArray temb) {
        return Scopes.keep(() -> block(x, temb));
    }

    private NDArray block(NDArray x, NDArray temb) {
        // as a chain, so that at most two full-size activations live at once (the VAE at 512x512)
        List<UnaryOperator<NDArray>> steps = new ArrayList<>(List.of(norm1::forward, Functional::silu, conv1::forward));
        if (timeEmbProj != null) {
            if (temb == null) {
                throw new IllegalArgumentException("ResnetBlock2D built with a time embedding needs temb");
            }
            NDArray t = timeEmbProj.forward(Functional.silu(temb)).expandDims(2).expandDims(3);
            steps.add(h -> h.add(t));
        }
        steps.addAll(List.of(norm2::forward, Functional::silu, conv2::forward));
        NDArray h = Scopes.chain(x, steps);
        NDArray shortcut = convShortcut == null ? x : convShortcut.forward(x);
        NDArray y = shortcut.add(h);
        return outputScaleFactor == 1f ? y : Owned.div(y, outputScaleFactor);
    }
}
