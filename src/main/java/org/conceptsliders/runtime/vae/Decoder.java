package org.conceptsliders.runtime.vae;

import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.GroupNorm;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** diffusers VAE {@code Decoder}: latent [B, latent, h, w] -> image [B, out, h*f, w*f]. */
public final class Decoder extends Module {
    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final ModuleList<UpDecoderBlock2D> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Decoder(AutoencoderKLConfig c) {
        int n = c.blockCount();
        int groups = c.normNumGroups();
        int deepest = c.blockOutChannels(n - 1);
        this.convIn = child("conv_in", new Conv2d(c.latentChannels(), deepest, 3, 1, 1));
        this.midBlock = child("mid_block", new UNetMidBlock2D(deepest, groups, Encoder.EPS));
        this.upBlocks = child("up_blocks", new ModuleList<>());
        int out = deepest;
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = c.blockOutChannels(n - 1 - i);
            upBlocks.add(new UpDecoderBlock2D(prev, out, c.layersPerBlock() + 1, groups, Encoder.EPS, i < n - 1));
        }
        this.convNormOut = child("conv_norm_out", new GroupNorm(groups, out, Encoder.EPS));
        this.convOut = child("conv_out", new Conv2d(out, c.outChannels(), 3, 1, 1));
    }

    NDArray forward(NDArray z) {
        List<UnaryOperator<NDArray>> steps = new ArrayList<>(List.of(convIn::forward, midBlock::forward));
        for (UpDecoderBlock2D b : upBlocks.items()) {
            steps.add(b::forward);
        }
        steps.addAll(List.of(convNormOut::forward, Functional::silu, convOut::forward));
        return Scopes.chain(z, steps);
    }
}
