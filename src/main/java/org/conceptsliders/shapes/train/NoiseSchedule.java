package org.conceptsliders.shapes.train;

/**
 * The forward diffusion of Stable Diffusion's training: 1000 steps, "scaled_linear" betas from
 * 0.00085 to 0.012 (linear in sqrt(beta)), and diffusers' {@code DDPMScheduler.add_noise},
 * {@code x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps}.
 *
 * <p>MERGE: once runtime.sched (DDPMScheduler) is in main, take the cumulative alphas from it.
 */
final class NoiseSchedule {
    static final int TRAIN_TIMESTEPS = 1000;
    static final double BETA_START = 0.00085;
    static final double BETA_END = 0.012;

    private final double[] alphasCumprod = new double[TRAIN_TIMESTEPS];

    NoiseSchedule() {
        double lo = Math.sqrt(BETA_START);
        double hi = Math.sqrt(BETA_END);
        double prod = 1.0;
        for (int t = 0; t < TRAIN_TIMESTEPS; t++) {
            double s = lo + (hi - lo) * t / (TRAIN_TIMESTEPS - 1);
            prod *= 1.0 - s * s;
            alphasCumprod[t] = prod;
        }
    }

    double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** {@code x0} and {@code eps} hold {@code x0.length / t.length} values per timestep, sample after sample. */
    float[] addNoise(float[] x0, float[] eps, int[] t) {
        int per = x0.length / t.length;
        float[] out = new float[x0.length];
        for (int b = 0; b < t.length; b++) {
            float a = (float) Math.sqrt(alphasCumprod[t[b]]);
            float s = (float) Math.sqrt(1.0 - alphasCumprod[t[b]]);
            for (int i = b * per; i < (b + 1) * per; i++) {
                out[i] = a * x0[i] + s * eps[i];
            }
        }
        return out;
    }
}
