package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch.nn.GroupNorm over [N, C, ...]: statistics per sample and group of C/groups channels,
 * biased variance, then a per-channel affine. The engine has no fused kernel behind DJL's API,
 * so it is written as a layer norm over the flattened group followed by the affine.
 */
public final class GroupNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int groups;
    private final float eps;

    public GroupNorm(int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.weight = param("weight", Parameter.Init.ONES, 0, channels);
        this.bias = param("bias", Parameter.Init.ZEROS, 0, channels);
    }

    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        NDArray g = x.reshape(n, groups, -1);
        Shape group = new Shape(g.getShape().get(2));
        // torch.layer_norm over each flattened group is group norm without the affine, in one fused kernel
        NDArray ones = x.getManager().ones(group, x.getDataType(), x.getDevice());
        NDArray zeros = x.getManager().zeros(group, x.getDataType(), x.getDevice());
        NDArray flat = g.getNDArrayInternal().layerNorm(g, group, ones, zeros, eps).singletonOrThrow();
        NDArray normed = flat.reshape(s);
        flat.close();
        long[] affine = new long[s.dimension()];
        java.util.Arrays.fill(affine, 1);
        affine[1] = c;
        NDArray w = broadcastable(weight.value(), affine, x);
        NDArray b = broadcastable(bias.value(), affine, x);
        if (!Scopes.recording()) {
            return normed.muli(w).addi(b);
        }
        NDArray scaled = normed.mul(w);
        normed.close();
        NDArray out = scaled.add(b);
        scaled.close();
        return out;
    }

    /** A reshaped view of a weight, owned by the caller's manager: an op called on a weight would leave its result in the weights' manager. */
    private static NDArray broadcastable(NDArray w, long[] shape, NDArray like) {
        NDArray view = w.reshape(shape);
        view.attach(like.getManager());
        return view;
    }
}
