package org.conceptsliders.runtime.unet;

/** diffusers {@code CrossAttnUpBlock2D}: skip-concatenating resnets interleaved with Transformer2DModels. */
public final class CrossAttnUpBlock2D extends UNetUpBlock {
    CrossAttnUpBlock2D(long in, long prev, long out, int layers, ResnetSpec resnet, Transformer2DModel.Spec transformer,
                       boolean addUpsample) {
        super(in, prev, out, layers, resnet, transformer, addUpsample);
    }
}
