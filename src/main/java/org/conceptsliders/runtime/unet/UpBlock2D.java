package org.conceptsliders.runtime.unet;

/** diffusers {@code UpBlock2D}: skip-concatenating resnets only. */
public final class UpBlock2D extends UNetUpBlock {
    UpBlock2D(long in, long prev, long out, int layers, ResnetSpec resnet, boolean addUpsample) {
        super(in, prev, out, layers, resnet, null, addUpsample);
    }
}
