package org.conceptsliders.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * One denoising schedule of a fixed length, what a pipeline needs to run any scheduler:
 * <pre>
 * x = noise * initNoiseSigma()
 * for i in 0 .. steps()-1:
 *     eps = unet(scaleModelInput(x, i), timesteps()[i], ...)
 *     x = step(eps, i, x).prevSample()
 * </pre>
 * The pitfall this shape avoids: DDIM works on x_t directly (sigma-free, {@code initNoiseSigma}
 * 1, no input scaling) while Euler works on x / sqrt(alpha_bar), whose noise has standard
 * deviation sqrt(sigma^2 + 1); a pipeline that skips {@code initNoiseSigma} or
 * {@code scaleModelInput} silently produces washed-out images with Euler only.
 *
 * <p>Arrays returned belong to the manager of {@code x}. Implementations are immutable.
 */
public interface Sampler {
    int steps();

    /** The UNet timestep of each step, noisiest first (whole numbers for DDIM, may be fractional for Euler). */
    double[] timesteps();

    /** The standard deviation of the initial noise in this scheduler's parametrisation of x. */
    float initNoiseSigma();

    /** The UNet input for step {@code i}; may be {@code x} itself when the scheduler needs no scaling. */
    NDArray scaleModelInput(NDArray x, int i);

    /** The deterministic update of step {@code i} from the model output at {@code timesteps()[i]}. */
    StepResult step(NDArray modelOutput, int i, NDArray x);

    /**
     * A clean latent noised to the level of step {@code i}, in this sampler's parametrisation
     * (image-to-image starts there): DDIM sqrt(a) x0 + sqrt(1 - a) noise, Euler x0 + sigma noise.
     */
    NDArray addNoise(NDArray x0, NDArray noise, int i);
}
