package org.conceptsliders.shapes.train;

import org.conceptsliders.shapes.ShapesWorld;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How {@link DecoderTuner} fine-tunes a finished VAE's decoder. Serialised as JSON into every
 * checkpoint; a resume with another recipe is refused.
 *
 * @param seed             pictures and latent noise derive from it
 * @param steps            training steps (the rate is cosine-decayed to 0 over them)
 * @param batch            whole pictures per step
 * @param lr               peak AdamW rate
 * @param warmupSteps      linear warmup of the rate
 * @param edgeWeight       weight of the L1 loss on the horizontal and vertical differences of
 *                         the error, which the per-pixel L1 spreads thin over an edge
 * @param foregroundWeight extra weight of pixels that differ from the background, as in the VAE stage
 * @param mseWeight        weight of the foreground-weighted squared error, as in the VAE stage (0:
 *                         none, and absent from older recipes)
 * @param latentNoise      the decoder sees mean + u std noise with u uniform in [0, latentNoise] per
 *                         picture: the posterior mean (what an inversion fits) up to the samples
 *                         the UNet was trained on
 * @param checkpointEvery  steps between checkpoints
 * @param world            the shapes world whose pictures it sees ({@code FLAT} when absent, as in
 *                         recipes written before it)
 */
public record DecoderRecipe(long seed, int steps, int batch, double lr, int warmupSteps, double edgeWeight,
                            double foregroundWeight, double mseWeight, double latentNoise, int checkpointEvery,
                            ShapesWorld.Version world) {

    public DecoderRecipe {
        world = world == null ? ShapesWorld.Version.FLAT : world;
        if (steps < 1 || batch < 1 || !(lr > 0) || warmupSteps < 0 || edgeWeight < 0 || foregroundWeight < 0
                || mseWeight < 0 || latentNoise < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("decoder recipe: steps, batch and lr must be positive, the rest >= 0: " + this);
        }
    }

    /** What the embedded model's base model's decoder was tuned with. */
    public static DecoderRecipe defaults() {
        return new DecoderRecipe(20240611L, 1500, 8, 5e-4, 50, 1.0, 8.0, 0.0, 1.0, 100, ShapesWorld.Version.FLAT);
    }

    public String toJson() {
        return RecipeJson.write(this);
    }

    public static DecoderRecipe read(Path file) throws IOException {
        return RecipeJson.read(file, DecoderRecipe.class);
    }

    /** What a checkpoint must agree on to be resumed: everything but the checkpoint interval. */
    String identity() {
        return new DecoderRecipe(seed, steps, batch, lr, warmupSteps, edgeWeight, foregroundWeight, mseWeight, latentNoise, 0, world)
                .toJson();
    }
}
