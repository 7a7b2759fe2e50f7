package org.conceptsliders.runtime.schedulers;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/**
 * Euler's method on the probability-flow ODE in the sigma parametrisation of Karras et al.
 * (2022, Algorithm 2 with s_churn = 0), diffusers 0.20's {@code EulerDiscreteScheduler}.
 *
 * <p>x lives at noise level sigma_t = sqrt((1 - a_t) / a_t) (a = alphas_cumprod), i.e.
 * x = x_t / sqrt(a_t): the UNet sees {@code x / sqrt(sigma^2 + 1)}, the predicted x0 gives the
 * derivative {@code d = (x - x0) / sigma}, and {@code x' = x + d (sigma_next - sigma)}. Sigmas
 * are interpolated linearly at the (possibly fractional) timesteps and end with 0.
 */
public final class EulerDiscreteScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final double[] trainSigmas;

    public EulerDiscreteScheduler(SchedulerConfig config) {
        this.config = config;
        double[] a = config.alphasCumprod();
        trainSigmas = Arrays.stream(a).map(x -> Math.sqrt((1 - x) / x)).toArray();
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public Schedule forSteps(int steps) {
        double[] timesteps = config.rawTimesteps(steps);
        double[] sigmas = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            sigmas[i] = interpolate(timesteps[i]);
        }
        return new Schedule(timesteps, sigmas);
    }

    /** numpy's {@code interp(t, arange(T), trainSigmas)}. */
    private double interpolate(double t) {
        int last = trainSigmas.length - 1;
        if (t <= 0) {
            return trainSigmas[0];
        }
        if (t >= last) {
            return trainSigmas[last];
        }
        int k = (int) Math.floor(t);
        return trainSigmas[k] + (t - k) * (trainSigmas[k + 1] - trainSigmas[k]);
    }

    /** The Euler schedule of one step count: timesteps and their sigmas (with a final 0). */
    public final class Schedule implements Sampler {
        private final double[] timesteps;
        private final double[] sigmas;

        private Schedule(double[] timesteps, double[] sigmas) {
            this.timesteps = timesteps;
            this.sigmas = sigmas;
        }

        @Override
        public int steps() {
            return timesteps.length;
        }

        @Override
        public double[] timesteps() {
            return timesteps.clone();
        }

        /** steps() + 1 noise levels, the last 0. */
        public double[] sigmas() {
            return sigmas.clone();
        }

        /**
         * The largest sigma for "linspace" and "trailing" spacing; sqrt(sigma_max^2 + 1) for
         * "leading", as diffusers 0.20 has it.
         */
        @Override
        public float initNoiseSigma() {
            double max = Arrays.stream(sigmas).max().orElseThrow();
            return (float) (config.timestepSpacing() == SchedulerConfig.TimestepSpacing.LEADING
                    ? Math.sqrt(max * max + 1) : max);
        }

        @Override
        public NDArray scaleModelInput(NDArray x, int i) {
            double sigma = sigmas[index(i)];
            return Owned.mul(x, (float) (1 / Math.sqrt(sigma * sigma + 1)));
        }

        @Override
        public NDArray addNoise(NDArray x0, NDArray noise, int i) {
            return Tensors.combine(1, x0, sigmas[index(i)], noise);
        }

        @Override
        public StepResult step(NDArray modelOutput, int i, NDArray x) {
            double sigma = sigmas[index(i)];
            // x0 = p x + q m for model output m
            double p, q;
            switch (config.predictionType()) {
                case EPSILON -> { p = 1; q = -sigma; }
                case V_PREDICTION -> { p = 1 / (sigma * sigma + 1); q = -sigma / Math.sqrt(sigma * sigma + 1); }
                case SAMPLE -> { p = 0; q = 1; }
                default -> throw new AssertionError(config.predictionType());
            }
            NDArray x0 = Tensors.combine(p, x, q, modelOutput);
            // x + (x - x0) / sigma * dt
            double k = (sigmas[i + 1] - sigma) / sigma;
            return new StepResult(Tensors.combine(1 + k, x, -k, x0), x0);
        }

        private int index(int i) {
            if (i < 0 || i >= timesteps.length) {
                throw new IllegalArgumentException("step index " + i + " is outside [0, " + (timesteps.length - 1) + "]");
            }
            return i;
        }
    }
}
