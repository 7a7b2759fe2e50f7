package org.conceptsliders.runtime.unet;

/** diffusers {@code DownBlock2D}: resnets only. */
public final class DownBlock2D extends UNetDownBlock {
    DownBlock2D(long in, long out, int layers, ResnetSpec resnet, boolean addDownsample, int downsamplePadding) {
        super(in, out, layers, resnet, null, addDownsample, downsamplePadding);
    }
}
