package org.conceptsliders.runtime.schedulers;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The forward (noising) process of Ho et al. (2020, eq. 4), diffusers 0.20's
 * {@code DDPMScheduler.add_noise}: {@code x_t = sqrt(a_t) x0 + sqrt(1 - a_t) noise}, with
 * a = alphas_cumprod and one timestep per batch item. Used to noise latents for training.
 */
public final class DDPMScheduler {
    private final SchedulerConfig config;
    private final double[] alphasCumprod;

    public DDPMScheduler(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = config.alphasCumprod();
    }

    public SchedulerConfig config() {
        return config;
    }

    /** Noises batch item b of {@code original} to timestep {@code timesteps[b]}; in the manager of {@code original}. */
    public NDArray addNoise(NDArray original, NDArray noise, int... timesteps) {
        Shape shape = original.getShape();
        if (!shape.equals(noise.getShape())) {
            throw new IllegalArgumentException("noise shape " + noise.getShape() + " differs from sample shape " + shape);
        }
        if (shape.dimension() == 0 || shape.get(0) != timesteps.length) {
            throw new IllegalArgumentException("need one timestep per batch item: " + timesteps.length
                    + " timesteps for shape " + shape);
        }
        float[] signal = new float[timesteps.length];
        float[] noiseScale = new float[timesteps.length];
        for (int b = 0; b < timesteps.length; b++) {
            int t = timesteps[b];
            if (t < 0 || t >= alphasCumprod.length) {
                throw new IllegalArgumentException("timestep " + t + " is outside [0, " + (alphasCumprod.length - 1) + "]");
            }
            signal[b] = (float) Math.sqrt(alphasCumprod[t]);
            noiseScale[b] = (float) Math.sqrt(1 - alphasCumprod[t]);
        }
        long[] perItem = new long[shape.dimension()];
        java.util.Arrays.fill(perItem, 1);
        perItem[0] = timesteps.length;
        Shape broadcast = new Shape(perItem);
        try (NDArray s = Owned.floats(original.getManager(), signal, broadcast).toType(original.getDataType(), false);
             NDArray n = Owned.floats(original.getManager(), noiseScale, broadcast).toType(original.getDataType(), false);
             NDArray scaledNoise = noise.mul(n)) {
            return original.mul(s).addi(scaledNoise);
        }
    }
}
