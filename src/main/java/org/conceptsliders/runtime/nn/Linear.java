package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;

/** torch.nn.Linear: weight [out, in], optional bias [out]. */
public final class Linear extends AdaptableLayer {
    private final Parameter weight;
    private final Parameter bias;
    private final long in;
    private final long out;

    public Linear(long in, long out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Parameter.Init.FAN_IN_UNIFORM, in, out, in);
        this.bias = bias ? param("bias", Parameter.Init.FAN_IN_UNIFORM, in, out) : null;
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDArray base(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight.value(), bias == null ? null : bias.value()).singletonOrThrow();
    }
}
