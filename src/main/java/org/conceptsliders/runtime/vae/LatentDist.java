package org.conceptsliders.runtime.vae;

import ai.djl.ndarray.NDArray;

/**
 * diffusers {@code DiagonalGaussianDistribution}: the encoder's latent distribution, before
 * scaling by {@link AutoencoderKL#scalingFactor()}.
 *
 * @param mean [B, latent, h, w]
 * @param std  {@code exp(0.5 * clamp(logvar, -30, 20))}, same shape
 */
public record LatentDist(NDArray mean, NDArray std) {
    /** {@code mean + std * noise}, with {@code noise} ~ N(0, 1) of the same shape. */
    public NDArray sample(NDArray noise) {
        return mean.add(std.mul(noise));
    }
}
