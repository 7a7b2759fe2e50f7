package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers {@code Upsample2D} with {@code use_conv=True}: nearest-neighbour interpolation to
 * twice the size (or to a given size, as the UNet asks when its input is not a multiple of its
 * total down-sampling factor), then a 3x3 {@code conv}.
 */
public final class Upsample2D extends Module {
    private final Conv2d conv;

    public Upsample2D(long in, long out) {
        this.conv = child("conv", new Conv2d(in, out, 3, 1, 1));
    }

    public NDArray forward(NDArray x) {
        return conv.forward(x.repeat(2, 2).repeat(3, 2));
    }

    /** Upsamples to {@code height} x {@code width} (torch "nearest": source index floor(i * in / out)). */
    public NDArray forward(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (height == 2 * s.get(2) && width == 2 * s.get(3)) {
            return forward(x);
        }
        NDArray rows = nearestIndex(x, s.get(2), height);
        NDArray cols = nearestIndex(x, s.get(3), width);
        return conv.forward(x.get(new NDIndex(":, :, {}", rows)).get(new NDIndex(":, :, :, {}", cols)));
    }

    private static NDArray nearestIndex(NDArray like, long in, long out) {
        NDArray index = like.getManager().arange(0, (int) out, 1, DataType.FLOAT32, like.getDevice());
        return Owned.mul(index, (float) in / out).floor().toType(DataType.INT64, false);
    }
}
