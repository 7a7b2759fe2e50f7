package org.conceptsliders.runtime.vae;

import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Attention;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.ResnetBlock2D;

import java.util.List;

/**
 * diffusers {@code UNetMidBlock2D} as the VAE builds it: resnet, single-head spatial self-attention
 * (group norm in front, residual connection, float32 softmax), resnet; no time embedding.
 */
public final class UNetMidBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Attention attention;

    UNetMidBlock2D(int channels, int groups, float eps) {
        this.resnets = child("resnets", new ModuleList<>());
        ModuleList<Attention> attentions = child("attentions", new ModuleList<>());
        resnets.add(new ResnetBlock2D(channels, channels, 0, groups, eps, 1f));
        this.attention = attentions.add(Attention.builder(channels, 1, channels).optBias(true)
                .optGroupNorm(groups, eps).optResidualConnection(true).optUpcast(true).build());
        resnets.add(new ResnetBlock2D(channels, channels, 0, groups, eps, 1f));
    }

    NDArray forward(NDArray h) {
        return Scopes.chain(h, List.of(x -> resnets.get(0).forward(x, null), x -> attention.forward(x, null),
                x -> resnets.get(1).forward(x, null)));
    }
}
