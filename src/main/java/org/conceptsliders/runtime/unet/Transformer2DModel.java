package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.GroupNorm;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;

/**
 * diffusers {@code Transformer2DModel} on a continuous feature map: group norm, {@code proj_in}
 * to heads*dim_head channels, {@code transformer_blocks} over the H*W tokens, {@code proj_out}
 * back, plus the input. The projections are 1x1 convolutions (SD 1.x) or, with
 * {@code use_linear_projection} (SD 2.x, SDXL), linear layers applied to the tokens.
 */
public final class Transformer2DModel extends Module {
    private final GroupNorm norm;
    private final AdaptableLayer projIn;
    private final ModuleList<BasicTransformerBlock> blocks;
    private final AdaptableLayer projOut;
    private final boolean linearProjection;

    /** Options shared by every transformer of a UNet block; {@code heads} is the head count. */
    public record Spec(int heads, int layers, long crossAttentionDim, int groups, boolean useLinearProjection,
                       boolean onlyCrossAttention, boolean upcastAttention) {
    }

    /** A transformer on {@code channels} channels, with {@code channels / heads} channels per head as diffusers' blocks build it. */
    public Transformer2DModel(long channels, Spec spec) {
        int dimHead = (int) (channels / spec.heads());
        long inner = (long) spec.heads() * dimHead;
        this.linearProjection = spec.useLinearProjection();
        this.norm = child("norm", new GroupNorm(spec.groups(), channels, 1e-6f));
        this.projIn = child("proj_in", linearProjection ? new Linear(channels, inner, true) : new Conv2d(channels, inner, 1, 1, 0));
        this.blocks = child("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < spec.layers(); i++) {
            blocks.add(new BasicTransformerBlock(inner, spec.heads(), dimHead, spec.crossAttentionDim(),
                    spec.onlyCrossAttention(), spec.upcastAttention()));
        }
        this.projOut = child("proj_out", linearProjection ? new Linear(inner, channels, true) : new Conv2d(inner, channels, 1, 1, 0));
    }

    /** {@code x} [B, C, H, W], {@code context} [B, Lk, cross_attention_dim]. */
    public NDArray forward(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        NDArray t = norm.forward(x);
        if (linearProjection) {
            t = projIn.forward(toTokens(t));
        } else {
            t = toTokens(projIn.forward(t));
        }
        for (BasicTransformerBlock block : blocks.items()) {
            t = block.forward(t, context);
        }
        NDArray out;
        if (linearProjection) {
            out = toMap(projOut.forward(t), b, h, w);
        } else {
            out = projOut.forward(toMap(t, b, h, w));
        }
        return out.add(x);
    }

    private static NDArray toTokens(NDArray map) {
        Shape s = map.getShape();
        return map.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    private static NDArray toMap(NDArray tokens, long b, long h, long w) {
        return tokens.reshape(b, h, w, -1).transpose(0, 3, 1, 2);
    }
}
