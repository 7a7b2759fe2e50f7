package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nd.Scopes;
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
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        // one copy through a broadcast view (two repeats made two), freed once the conv has run
        return Scopes.keep(() -> conv.forward(x.reshape(b, c, h, 1, w, 1).broadcast(new Shape(b, c, h, 2, w, 2))
                .reshape(b, c, 2 * h, 2 * w)));
    }

    /** Upsamples to {@code height} x {@code width} (torch "nearest": source index floor(i * in / out)). */
    public NDArray forward(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (height == 2 * s.get(2) && width == 2 * s.get(3)) {
            return forward(x);
        }
        return Scopes.keep(() -> conv.forward(x.get(new NDIndex(":, :, {}", nearestIndex(x, s.get(2), height)))
                .get(new NDIndex(":, :, :, {}", nearestIndex(x, s.get(3), width)))));
    }

    private static NDArray nearestIndex(NDArray like, long in, long out) {
        NDArray index = like.getManager().arange(0, (int) out, 1, DataType.FLOAT32, like.getDevice());
        return Owned.mul(index, (float) in / out).floor().toType(DataType.INT64, false);
    }
}
