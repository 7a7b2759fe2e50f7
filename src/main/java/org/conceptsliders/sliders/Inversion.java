package org.conceptsliders.sliders;

/**
 * How {@link Studio#edit} inverts a real image. First {@code fitSteps} gradient steps fit the
 * image's latent to the VAE decoder (the encoder is only an approximate inverse of it: fitting
 * sharpens the reconstruction; each step is a decode and its backward pass). Then DDIM
 * inversion, with {@code iterations} fixed-point passes per step (one more UNet evaluation
 * each) that make it the exact inverse of the sampler. {@link #PLAIN} is diffusers' DDIM
 * inversion of the encoder's latent.
 */
public record Inversion(int fitSteps, int iterations) {

    public static final Inversion PLAIN = new Inversion(0, 0);

    public Inversion {
        if (fitSteps < 0 || fitSteps > 100_000) {
            throw new IllegalArgumentException("fit steps: must be in 0..100000, got " + fitSteps);
        }
        if (iterations < 0 || iterations > 20) {
            throw new IllegalArgumentException("inversion iterations: must be in 0..20, got " + iterations);
        }
    }
}
