package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers {@code Downsample2D} with {@code use_conv=True}: a 3x3 {@code conv} of stride 2.
 * With {@code padding=0} (the VAE encoder) the input is first padded by one row and one column
 * at the bottom and right only, as diffusers does, so that H and W halve exactly.
 */
public final class Downsample2D extends Module {
    private final Conv2d conv;
    private final boolean asymmetricPad;

    public Downsample2D(long in, long out, int padding) {
        this.conv = child("conv", new Conv2d(in, out, 3, 2, padding));
        this.asymmetricPad = padding == 0;
    }

    public NDArray forward(NDArray x) {
        // torch.nn.functional.pad order: (left, right, top, bottom) of the last two axes.
        return conv.forward(asymmetricPad ? x.pad(new Shape(0, 1, 0, 1), 0) : x);
    }
}
