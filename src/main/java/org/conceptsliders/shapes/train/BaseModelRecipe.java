package org.conceptsliders.shapes.train;

import org.conceptsliders.shapes.ShapesWorld;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Everything that decides the embedded base model: the sizes of its three networks (a Stable
 * Diffusion 1.x architecture shrunk to the shapes world: a VAE with x8 down-sampling, a 3-level
 * UNet with cross-attention, a 2-layer CLIP text tower on CLIP's real vocabulary) and how each
 * stage is trained. Serialised as JSON into every checkpoint; a resume with another recipe is
 * refused except for the step counts, which may grow (both stages use a constant rate after
 * warmup, and the UNet's final decay is counted from its last step, so a run can be extended).
 *
 * @param seed               initial weights, data and noise all derive from it
 * @param imageSize          side of the square pictures (a multiple of 2^(vae levels - 1))
 * @param vaeChannels        VAE {@code block_out_channels}, one per level
 * @param vaeLayersPerBlock  VAE {@code layers_per_block}
 * @param vaeNormGroups      VAE {@code norm_num_groups}
 * @param latentChannels     VAE {@code latent_channels}
 * @param vaeSteps           first VAE training length; more rounds follow until the colour check passes
 * @param vaeMaxSteps        the VAE stops here even if the colour check still fails
 * @param vaeBatch           pictures per VAE step
 * @param vaeCrop            side of the window around the shape that a VAE step trains on (0: the
 *                           whole picture); the VAE is convolutional, so crops cost a quarter at half
 *                           the side and keep the pixel scale of the full pictures
 * @param vaeLr              AdamW rate of the VAE
 * @param klWeight           weight of the KL term against the per-pixel L1 reconstruction loss
 * @param foregroundWeight   extra loss weight of pixels that differ from the background (the
 *                           shape covers a few % of a picture; without this the VAE washes colours out)
 * @param vaeEdgeWeight      weight of the L1 of the reconstruction error's horizontal and vertical
 *                           differences (the decoder stage's edge term; 0: none, and absent from
 *                           older recipes)
 * @param vaeEdgeFromStep    first VAE step with the edge term (alone, from the start, it collapsed
 *                           the colour axis to 2 of 6 hues; with {@code vaeMseWeight} it does not)
 * @param vaeMseWeight       weight of the foreground-weighted squared error next to the L1: L1 pushes
 *                           every wrong pixel alike, a square pushes a wrong hue (an error of up to 2
 *                           per channel) far harder than a soft edge (0: none, and absent from older recipes;
 *                           with it the VAE keeps colours beside the edge term, but the UNet trained on its
 *                           latents followed colour words less: docs/embedded-model.md, session 7)
 * @param colourPassRate     share of the fixed colour set whose reconstruction must measure as the drawn colour
 * @param colourScenes       scenes of that set per (colour, background) combination
 * @param unetChannels       UNet {@code block_out_channels} (levels: CrossAttnDown..., last DownBlock2D)
 * @param unetLayersPerBlock UNet {@code layers_per_block}
 * @param unetHeads          attention heads per UNet transformer ({@code attention_head_dim}, a count)
 * @param unetNormGroups     UNet {@code norm_num_groups}
 * @param textWidth          CLIP {@code hidden_size}, also the UNet's {@code cross_attention_dim}
 * @param textLayers         CLIP {@code num_hidden_layers}
 * @param textHeads          CLIP {@code num_attention_heads}
 * @param unetSteps          UNet + text encoder training steps
 * @param unetBatch          latents per UNet step
 * @param unetLr             AdamW rate of the UNet and text encoder
 * @param unetDecaySteps     the UNet's last steps, over which its rate falls to 0 by half a cosine
 *                           (0: constant to the end)
 * @param warmupSteps        linear warmup of both stages' rates
 * @param emaDecay           maximum EMA decay (with warmup); the exported weights are the EMA
 * @param latentCacheSize    scenes encoded once by the finished VAE; UNet steps draw from them
 *                           (each time with a fresh caption and latent sample)
 * @param checkpointEvery    steps between checkpoints
 * @param world              the shapes world both stages train on ({@code FLAT} when absent, as in
 *                           recipes written before it)
 */
public record BaseModelRecipe(
        long seed, int imageSize,
        int[] vaeChannels, int vaeLayersPerBlock, int vaeNormGroups, int latentChannels,
        int vaeSteps, int vaeMaxSteps, int vaeBatch, int vaeCrop, double vaeLr, double klWeight,
        double foregroundWeight, double vaeEdgeWeight, int vaeEdgeFromStep, double vaeMseWeight, double colourPassRate, int colourScenes,
        int[] unetChannels, int unetLayersPerBlock, int unetHeads, int unetNormGroups,
        int textWidth, int textLayers, int textHeads,
        int unetSteps, int unetBatch, double unetLr, int unetDecaySteps, int warmupSteps, double emaDecay, int latentCacheSize,
        int checkpointEvery, ShapesWorld.Version world) {


    public BaseModelRecipe {
        world = world == null ? ShapesWorld.Version.FLAT : world;
        if (imageSize % (1 << (vaeChannels.length - 1)) != 0) {
            throw new IllegalArgumentException("imageSize " + imageSize + " is not a multiple of the VAE's down-sampling "
                    + (1 << (vaeChannels.length - 1)));
        }
        if (unetChannels.length < 2) {
            throw new IllegalArgumentException("the UNet needs at least 2 levels, found " + unetChannels.length);
        }
        if (vaeCrop != 0 && (vaeCrop > imageSize || vaeCrop % (1 << (vaeChannels.length - 1)) != 0)) {
            throw new IllegalArgumentException("vaeCrop " + vaeCrop + " must be 0 or a multiple of the VAE's down-sampling"
                    + " no larger than imageSize " + imageSize);
        }
        if (vaeEdgeWeight < 0 || vaeEdgeFromStep < 0 || vaeMseWeight < 0) {
            throw new IllegalArgumentException("vaeEdgeWeight " + vaeEdgeWeight + ", vaeEdgeFromStep " + vaeEdgeFromStep
                    + " and vaeMseWeight " + vaeMseWeight + " must not be negative");
        }
        if (vaeMaxSteps < vaeSteps) {
            throw new IllegalArgumentException("vaeMaxSteps " + vaeMaxSteps + " < vaeSteps " + vaeSteps);
        }
    }

    /** The project's embedded model, sized to train in about an hour on 2 CPU cores. */
    public static BaseModelRecipe defaults() {
        return new BaseModelRecipe(20240611L, 64,
                new int[] {16, 32, 32, 32}, 1, 8, 4,
                1200, 3000, 8, 32, 1e-3, 1e-6, 8.0, 0.0, 0, 0.0, 0.99, 12,
                new int[] {32, 64, 64}, 1, 4, 16,
                32, 2, 2,
                5000, 32, 1e-3, 1500, 200, 0.999, 10000,
                100, ShapesWorld.Version.FLAT);
    }

    /** Tiny widths and a handful of steps: for tests of the pipeline, not for pictures. */
    public static BaseModelRecipe tiny() {
        return new BaseModelRecipe(7L, 32,
                new int[] {8, 8}, 1, 4, 4,
                6, 6, 4, 16, 2e-3, 1e-6, 8.0, 1.0, 3, 0.5, 0.0, 1,
                new int[] {8, 16}, 1, 2, 4,
                8, 1, 2,
                6, 4, 2e-3, 3, 2, 0.9, 16,
                3, ShapesWorld.Version.GRADIENT);
    }

    /** The VAE's latent side: the image side over 2^(levels - 1). */
    public int latentSize() {
        return imageSize >> (vaeChannels.length - 1);
    }

    public String toJson() {
        return RecipeJson.write(this);
    }

    public static BaseModelRecipe fromJson(String json) throws IOException {
        return RecipeJson.JSON.readValue(json, BaseModelRecipe.class);
    }

    public static BaseModelRecipe read(Path file) throws IOException {
        return RecipeJson.read(file, BaseModelRecipe.class);
    }

    /** What a VAE checkpoint must agree on to be resumed: the recipe's VAE part, step counts left out. */
    String vaeIdentity() {
        return RecipeJson.JSON.valueToTree(new BaseModelRecipe(seed, imageSize, vaeChannels, vaeLayersPerBlock, vaeNormGroups,
                latentChannels, 0, 0, vaeBatch, vaeCrop, vaeLr, klWeight, foregroundWeight, vaeEdgeWeight, vaeEdgeFromStep, vaeMseWeight, 0, 0,
                new int[] {1, 1}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, warmupSteps, emaDecay, 0, 0, world)).toString();
    }

    /**
     * What a UNet checkpoint must agree on: everything but the UNet step count, its decay (both
     * may change while the rate is still constant) and the checkpoint interval.
     */
    String unetIdentity() {
        return RecipeJson.JSON.valueToTree(new BaseModelRecipe(seed, imageSize, vaeChannels, vaeLayersPerBlock, vaeNormGroups,
                latentChannels, 0, 0, vaeBatch, vaeCrop, vaeLr, klWeight, foregroundWeight, vaeEdgeWeight, vaeEdgeFromStep, vaeMseWeight, colourPassRate, 0,
                unetChannels,
                unetLayersPerBlock, unetHeads, unetNormGroups, textWidth, textLayers, textHeads, 0, unetBatch, unetLr, 0,
                warmupSteps, emaDecay, latentCacheSize, 0, world)).toString();
    }
}
