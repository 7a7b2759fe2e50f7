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

/**
 * diffusers VAE {@code Encoder} with {@code double_z}: image [B, in, H, W] -> mean and log-variance
 * moments [B, 2*latent, H/f, W/f], f = 2^(blocks-1).
 */
public final class Encoder extends Module {
    /** The VAE's resnets and norms use this epsilon regardless of the config. */
    static final float EPS = 1e-6f;

    private final Conv2d convIn;
    private final ModuleList<DownEncoderBlock2D> downBlocks;
    private final UNetMidBlock2D midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Encoder(AutoencoderKLConfig c) {
        int n = c.blockCount();
        int groups = c.normNumGroups();
        this.convIn = child("conv_in", new Conv2d(c.inChannels(), c.blockOutChannels(0), 3, 1, 1));
        this.downBlocks = child("down_blocks", new ModuleList<>());
        int out = c.blockOutChannels(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = c.blockOutChannels(i);
            downBlocks.add(new DownEncoderBlock2D(in, out, c.layersPerBlock(), groups, EPS, i < n - 1));
        }
        this.midBlock = child("mid_block", new UNetMidBlock2D(out, groups, EPS));
        this.convNormOut = child("conv_norm_out", new GroupNorm(groups, out, EPS));
        this.convOut = child("conv_out", new Conv2d(out, 2L * c.latentChannels(), 3, 1, 1));
    }

    NDArray forward(NDArray x) {
        List<UnaryOperator<NDArray>> steps = new ArrayList<>(List.of(convIn::forward));
        for (DownEncoderBlock2D b : downBlocks.items()) {
            steps.add(b::forward);
        }
        steps.addAll(List.of(midBlock::forward, convNormOut::forward, Functional::silu, convOut::forward));
        return Scopes.chain(x, steps);
    }
}
