package org.conceptsliders.runtime.unet;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.WeightSource;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.GroupNorm;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * diffusers {@code UNet2DConditionModel} (0.20): the noise predictor of Stable Diffusion 1.x/2.x
 * and SDXL. A sinusoidal timestep embedding ({@code time_proj}, {@code time_embedding}), plus for
 * SDXL the pooled text and size/crop ids ({@code add_time_proj}, {@code add_embedding}), conditions
 * every resnet; {@code down_blocks}, {@code mid_block} and {@code up_blocks} with skip
 * connections and cross-attention to the text states map the latent to the predicted noise.
 *
 * <p>The forward pass creates its results on the managers of its inputs and never modifies an
 * array in place, so that it runs inside a per-call sub-manager and under a gradient collector.
 */
public final class UNet2DConditionModel extends Module {
    private final UNetConfig config;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Timesteps addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final Conv2d convIn;
    private final ModuleList<UNetDownBlock> downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final ModuleList<UNetUpBlock> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final int upsamplers;

    public UNet2DConditionModel(UNetConfig c) {
        this.config = c;
        int n = c.blockCount();
        int ch0 = c.blockOutChannels(0);
        this.timeProj = new Timesteps(ch0, c.flipSinToCos(), c.freqShift());
        this.timeEmbedding = child("time_embedding", new TimestepEmbedding(ch0, c.timeEmbedDim()));
        if (c.textTimeEmbedding()) {
            this.addTimeProj = new Timesteps(c.additionTimeEmbedDim(), c.flipSinToCos(), c.freqShift());
            this.addEmbedding = child("add_embedding", new TimestepEmbedding(c.projectionClassEmbeddingsInputDim(), c.timeEmbedDim()));
        } else {
            this.addTimeProj = null;
            this.addEmbedding = null;
        }
        this.convIn = child("conv_in", new Conv2d(c.inChannels(), ch0, c.convInKernel(), 1, (c.convInKernel() - 1) / 2));
        ResnetSpec resnet = new ResnetSpec(c.timeEmbedDim(), c.normNumGroups(), c.normEps());

        this.downBlocks = child("down_blocks", new ModuleList<>());
        int out = ch0;
        for (int i = 0; i < n; i++) {
            int in = out;
            out = c.blockOutChannels(i);
            downBlocks.add(UNetDownBlock.of(c.downBlockTypes().get(i), in, out, c.layersPerBlock(i), resnet,
                    transformer(c, i), i < n - 1, c.downsamplePadding()));
        }
        this.midBlock = child("mid_block", new UNetMidBlock2DCrossAttn(c.blockOutChannels(n - 1), resnet,
                c.midBlockScaleFactor(), transformer(c, n - 1)));

        // Up block i mirrors down block n-1-i; its resnets see one more skip than the down block made.
        this.upBlocks = child("up_blocks", new ModuleList<>());
        out = c.blockOutChannels(n - 1);
        for (int i = 0; i < n; i++) {
            int mirror = n - 1 - i;
            int prev = out;
            out = c.blockOutChannels(mirror);
            int in = c.blockOutChannels(Math.max(mirror - 1, 0));
            upBlocks.add(UNetUpBlock.of(c.upBlockTypes().get(i), in, prev, out, c.layersPerBlock(mirror) + 1, resnet,
                    transformer(c, mirror), i < n - 1));
        }
        this.upsamplers = n - 1;
        this.convNormOut = child("conv_norm_out", new GroupNorm(c.normNumGroups(), ch0, c.normEps()));
        this.convOut = child("conv_out", new Conv2d(ch0, c.outChannels(), c.convOutKernel(), 1, (c.convOutKernel() - 1) / 2));
    }

    private static Transformer2DModel.Spec transformer(UNetConfig c, int block) {
        return new Transformer2DModel.Spec(c.attentionHeads(block), c.transformerLayersPerBlock(block),
                c.crossAttentionDim(block), c.normNumGroups(), c.useLinearProjection(), c.onlyCrossAttention(block),
                c.upcastAttention());
    }

    /**
     * Reads {@code config.json} and the weights ({@code diffusion_pytorch_model.safetensors}, its
     * {@code .fp16} variant or a shard index) of a diffusers {@code unet} folder. The weights are
     * created in {@code manager}, which must be on {@code compute}'s device, in its dtype.
     */
    public static UNet2DConditionModel load(Path componentDir, NDManager manager, Compute compute) throws IOException {
        compute.requireOn(manager);
        UNet2DConditionModel model = new UNet2DConditionModel(UNetConfig.read(componentDir.resolve("config.json")));
        try (WeightSource source = WeightSource.openComponent(componentDir, "diffusion_pytorch_model")) {
            WeightLoader.load(model, source, manager, compute.dtype());
        }
        return model;
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * Predicts the noise in {@code sample}.
     *
     * @param sample              the noisy latent [B, in_channels, H, W]
     * @param timesteps           [B] or a single value for the whole batch (integer or float)
     * @param encoderHiddenStates text states [B, L, cross_attention_dim]
     * @param textEmbeds          SDXL's pooled text embedding [B, D]; null for other models
     * @param timeIds             SDXL's size and crop conditioning [B, K]; null for other models
     * @return the model output [B, out_channels, H, W]
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, NDArray textEmbeds, NDArray timeIds) {
        long batch = sample.getShape().get(0);
        if (config.textTimeEmbedding() != (textEmbeds != null && timeIds != null)) {
            throw new IllegalArgumentException(config.textTimeEmbedding()
                    ? "this UNet (addition_embed_type \"text_time\") needs textEmbeds and timeIds"
                    : "this UNet takes no textEmbeds or timeIds (no addition_embed_type)");
        }
        NDArray emb = timeEmbedding.forward(timeProj.forward(perSample(timesteps, batch)).toType(sample.getDataType(), false));
        if (addEmbedding != null) {
            NDArray timeEmbeds = addTimeProj.forward(timeIds.reshape(-1)).reshape(batch, -1);
            NDArray addEmbeds = textEmbeds.concat(timeEmbeds.toType(textEmbeds.getDataType(), false), 1);
            emb = emb.add(addEmbedding.forward(addEmbeds.toType(emb.getDataType(), false)));
        }

        NDArray h = config.centerInputSample() ? Owned.sub(Owned.mul(sample, 2), 1) : sample;
        h = convIn.forward(h);
        List<NDArray> skips = new ArrayList<>();
        skips.add(h);
        for (UNetDownBlock block : downBlocks.items()) {
            h = block.forward(h, emb, encoderHiddenStates, skips);
        }
        h = midBlock.forward(h, emb, encoderHiddenStates);

        // Up-sampling by 2 only restores sizes that were multiples of 2^upsamplers; otherwise
        // each up block scales to the size of the skip the next block consumes, as diffusers does.
        long factor = 1L << upsamplers;
        boolean exactSizes = sample.getShape().get(2) % factor == 0 && sample.getShape().get(3) % factor == 0;
        Deque<NDArray> remaining = new ArrayDeque<>(skips);
        for (UNetUpBlock block : upBlocks.items()) {
            long[] upsampleSize = null;
            if (!exactSizes && remaining.size() > block.layers()) {
                NDArray next = skips.get(remaining.size() - block.layers() - 1);
                upsampleSize = new long[] {next.getShape().get(2), next.getShape().get(3)};
            }
            h = block.forward(h, emb, encoderHiddenStates, remaining, upsampleSize);
        }
        return convOut.forward(Functional.silu(convNormOut.forward(h)));
    }

    /** The SD 1.x/2.x form: no pooled text or time ids. */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates) {
        return forward(sample, timesteps, encoderHiddenStates, null, null);
    }

    private static NDArray perSample(NDArray timesteps, long batch) {
        NDArray t = timesteps.reshape(-1);
        long n = t.getShape().get(0);
        if (n == batch) {
            return t;
        }
        if (n == 1) {
            return t.broadcast(batch);
        }
        throw new IllegalArgumentException("timesteps has " + n + " values for a batch of " + batch);
    }
}
