package org.conceptsliders.runtime.unet;

import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Attention;
import org.conceptsliders.runtime.nn.LayerNorm;
import org.conceptsliders.runtime.nn.Module;

/**
 * diffusers {@code BasicTransformerBlock} ({@code norm_type="layer_norm"}, no attention bias):
 * pre-norm self-attention {@code attn1}, cross-attention {@code attn2} over the text states, and
 * a GEGLU feed-forward {@code ff}, each added to the residual stream. With
 * {@code only_cross_attention} {@code attn1} also attends to the text states.
 */
public final class BasicTransformerBlock extends Module {
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final boolean onlyCrossAttention;

    public BasicTransformerBlock(long dim, int heads, int dimHead, long crossAttentionDim,
                                 boolean onlyCrossAttention, boolean upcastAttention) {
        this.onlyCrossAttention = onlyCrossAttention;
        this.norm1 = child("norm1", new LayerNorm(dim, 1e-5f));
        this.attn1 = child("attn1", Attention.builder(dim, heads, dimHead)
                .optCrossAttentionDim(onlyCrossAttention ? crossAttentionDim : 0)
                .optUpcast(upcastAttention).build());
        this.norm2 = child("norm2", new LayerNorm(dim, 1e-5f));
        this.attn2 = child("attn2", Attention.builder(dim, heads, dimHead)
                .optCrossAttentionDim(crossAttentionDim).optUpcast(upcastAttention).build());
        this.norm3 = child("norm3", new LayerNorm(dim, 1e-5f));
        this.ff = child("ff", new FeedForward(dim));
    }

    /** {@code x} [B, L, dim], {@code context} [B, Lk, cross_attention_dim]. */
    public NDArray forward(NDArray x, NDArray context) {
        return Scopes.keep(() -> block(x, context));
    }

    private NDArray block(NDArray x, NDArray context) {
        NDArray h = attn1.forward(norm1.forward(x), onlyCrossAttention ? context : null).add(x);
        h = attn2.forward(norm2.forward(h), context).add(h);
        return ff.forward(norm3.forward(h)).add(h);
    }
}
