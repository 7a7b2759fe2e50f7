package org.conceptsliders.runtime.unet;

/** diffusers {@code CrossAttnDownBlock2D}: resnets interleaved with Transformer2DModels. */
public final class CrossAttnDownBlock2D extends UNetDownBlock {
    CrossAttnDownBlock2D(long in, long out, int layers, ResnetSpec resnet, Transformer2DModel.Spec transformer,
                         boolean addDownsample, int downsamplePadding) {
        super(in, out, layers, resnet, transformer, addDownsample, downsamplePadding);
    }
}
