package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.LayerNorm over the last dimension, with affine. */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final long dim;
    private final float eps;

    public LayerNorm(long dim, float eps) {
        this.dim = dim;
        this.eps = eps;
        this.weight = param("weight", Parameter.Init.ONES, 0, dim);
        this.bias = param("bias", Parameter.Init.ZEROS, 0, dim);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(dim), weight.value(), bias.value(), eps).singletonOrThrow();
    }
}
