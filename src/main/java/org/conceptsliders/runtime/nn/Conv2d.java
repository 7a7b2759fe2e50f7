package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.Conv2d with square kernel: weight [out, in, k, k], optional bias [out]. */
public final class Conv2d extends AdaptableLayer {
    private final Parameter weight;
    private final Parameter bias;
    private final int kernel;
    private final int stride;
    private final int padding;

    public Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        long fanIn = in * kernel * kernel;
        this.weight = param("weight", Parameter.Init.FAN_IN_UNIFORM, fanIn, out, in, kernel, kernel);
        this.bias = bias ? param("bias", Parameter.Init.FAN_IN_UNIFORM, fanIn, out) : null;
    }

    public Conv2d(long in, long out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, true);
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public long inChannels() {
        return weight.shape().get(1);
    }

    public long outChannels() {
        return weight.shape().get(0);
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDArray base(NDArray x) {
        return conv(x, weight.value(), bias == null ? null : bias.value(), stride, padding);
    }

    /** A plain 2-D convolution, also used by conv LoRA modules with the layer's stride and padding. */
    public static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int padding) {
        return x.getNDArrayInternal().convolution(x, w, b, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), 1).singletonOrThrow();
    }
}
