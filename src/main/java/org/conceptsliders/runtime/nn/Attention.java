package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers {@code Attention} with the default {@code AttnProcessor}: multi-head attention of
 * {@code to_q(x)} over {@code to_k(context)}, {@code to_v(context)}, then {@code to_out.0}.
 * Optional parts, as in diffusers: a {@code group_norm} on the query input, a residual
 * connection and a division by {@code rescale_output_factor} (the VAE's mid-block attention
 * uses all three), and computing scores and softmax in float32 ({@code upcast_attention} /
 * {@code upcast_softmax}), which only matters when the model runs in half precision.
 *
 * <p>Inputs are [B, L, C] sequences or [B, C, H, W] feature maps (attended as H*W tokens and
 * returned in the same layout).
 */
public final class Attention extends Module {
    private final int heads;
    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final boolean residualConnection;
    private final float rescaleOutputFactor;
    private final boolean upcast;

    private Attention(Builder b) {
        long inner = (long) b.heads * b.dimHead;
        long contextDim = b.crossAttentionDim > 0 ? b.crossAttentionDim : b.queryDim;
        this.heads = b.heads;
        this.groupNorm = b.groupNormGroups > 0 ? child("group_norm", new GroupNorm(b.groupNormGroups, b.queryDim, b.eps)) : null;
        this.toQ = child("to_q", new Linear(b.queryDim, inner, b.bias));
        this.toK = child("to_k", new Linear(contextDim, inner, b.bias));
        this.toV = child("to_v", new Linear(contextDim, inner, b.bias));
        ModuleList<Linear> out = child("to_out", new ModuleList<>());
        this.toOut = out.add(new Linear(inner, b.queryDim, true));
        this.residualConnection = b.residualConnection;
        this.rescaleOutputFactor = b.rescaleOutputFactor;
        this.upcast = b.upcast;
    }

    /** Required: the query's channels, the head count and the channels of one head. */
    public static Builder builder(long queryDim, int heads, int dimHead) {
        return new Builder(queryDim, heads, dimHead);
    }

    public int heads() {
        return heads;
    }

    /** Self-attention when {@code context} is null, else cross-attention over {@code context} [B, Lk, Ck]. */
    public NDArray forward(NDArray x, NDArray context) {
        return Scopes.keep(() -> block(x, context));
    }

    private NDArray block(NDArray x, NDArray context) {
        Shape shape = x.getShape();
        boolean spatial = shape.dimension() == 4;
        NDArray tokens = x;
        if (groupNorm != null) {
            tokens = groupNorm.forward(tokens);
        }
        if (spatial) {
            tokens = tokens.reshape(shape.get(0), shape.get(1), -1).transpose(0, 2, 1);
        }
        NDArray kv = context == null ? tokens : context;
        NDArray q = toQ.forward(tokens);
        NDArray k = toK.forward(kv);
        NDArray v = toV.forward(kv);
        NDArray h;
        if (upcast && q.getDataType() != DataType.FLOAT32) {
            DataType t = q.getDataType();
            h = Functional.attention(q.toType(DataType.FLOAT32, false), k.toType(DataType.FLOAT32, false),
                    v.toType(DataType.FLOAT32, false), heads, null).toType(t, false);
        } else {
            h = Functional.attention(q, k, v, heads, null);
        }
        h = toOut.forward(h);
        if (spatial) {
            h = h.transpose(0, 2, 1).reshape(shape);
        }
        if (residualConnection) {
            h = h.add(x);
        }
        return rescaleOutputFactor == 1f ? h : Owned.div(h, rescaleOutputFactor);
    }

    /** Options of {@link Attention}, named after diffusers' constructor arguments. */
    public static final class Builder {
        private final long queryDim;
        private final int heads;
        private final int dimHead;
        private long crossAttentionDim;
        private boolean bias;
        private int groupNormGroups;
        private float eps = 1e-5f;
        private boolean residualConnection;
        private float rescaleOutputFactor = 1f;
        private boolean upcast;

        private Builder(long queryDim, int heads, int dimHead) {
            this.queryDim = queryDim;
            this.heads = heads;
            this.dimHead = dimHead;
        }

        /** Channels of the context for cross-attention ({@code cross_attention_dim}); default: queryDim. */
        public Builder optCrossAttentionDim(long dim) {
            this.crossAttentionDim = dim;
            return this;
        }

        /** Biases on to_q/to_k/to_v ({@code bias}; default false). to_out.0 always has one. */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** A {@code group_norm} on the input ({@code norm_num_groups}, {@code eps}). */
        public Builder optGroupNorm(int groups, float eps) {
            this.groupNormGroups = groups;
            this.eps = eps;
            return this;
        }

        public Builder optResidualConnection(boolean residual) {
            this.residualConnection = residual;
            return this;
        }

        public Builder optRescaleOutputFactor(float factor) {
            this.rescaleOutputFactor = factor;
            return this;
        }

        /** Scores and softmax in float32 ({@code upcast_attention} or {@code upcast_softmax}). */
        public Builder optUpcast(boolean upcast) {
            this.upcast = upcast;
            return this;
        }

        public Attention build() {
            return new Attention(this);
        }
    }
}
