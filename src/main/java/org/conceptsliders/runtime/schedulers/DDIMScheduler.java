package org.conceptsliders.runtime.schedulers;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/**
 * Denoising diffusion implicit models (Song et al. 2021, eq. 12), diffusers 0.20's
 * {@code DDIMScheduler}, as a pure function of its arguments.
 *
 * <p>From the model output at timestep t the step predicts x0 and eps (by
 * {@code prediction_type}), then moves to t' = t - T / steps (integer division, whatever the
 * spacing, as diffusers does):
 * {@code x_t' = sqrt(a_t') x0 + sqrt(1 - a_t' - sigma^2) eps + sigma z} with
 * {@code sigma = eta sqrt((1 - a_t') / (1 - a_t) (1 - a_t / a_t'))}, where a is alphas_cumprod
 * and a_t' for t' &lt; 0 is 1 or alphas_cumprod[0] ({@code set_alpha_to_one}).
 * {@link #invertStep} runs the same update from t' to t (DDIM inversion of a real image).
 */
public final class DDIMScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;

    public DDIMScheduler(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = config.alphasCumprod();
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** The timesteps of {@code steps} inference steps, noisiest first (diffusers' {@code set_timesteps}). */
    public int[] timesteps(int steps) {
        return Arrays.stream(config.rawTimesteps(steps)).mapToInt(t -> (int) Math.rint(t)).toArray();
    }

    /**
     * One DDIM step from timestep {@code t} of a {@code steps}-step schedule.
     *
     * @param eta   0 for deterministic DDIM, 1 for DDPM-like ancestral sampling
     * @param noise standard normal noise of the sample's shape, required when {@code eta > 0}
     *              (the caller owns the generator); ignored when {@code eta == 0}
     */
    public StepResult step(NDArray modelOutput, int t, NDArray sample, int steps, float eta, NDArray noise) {
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
        if (eta > 0 && noise == null) {
            throw new IllegalArgumentException("eta > 0 needs variance noise");
        }
        double aT = current(t);
        double aPrev = alpha(previous(t, steps));
        double std = 0;
        if (eta > 0) {
            double variance = (1 - aPrev) / (1 - aT) * (1 - aT / aPrev);
            std = eta * Math.sqrt(variance);
        }
        StepResult r = update(modelOutput, sample, aT, aPrev, std);
        if (std > 0) {
            try (NDArray z = Owned.mul(noise, (float) std)) {
                r.prevSample().addi(z);
            }
        }
        return r;
    }

    /**
     * The inverse of a deterministic {@link #step}: from the sample at the timestep before
     * {@code t} (alpha 1 or alphas_cumprod[0] below 0) to the sample at {@code t}, with the model
     * output evaluated at {@code t}. Run over {@code timesteps(steps)} in reverse order, it maps a
     * clean latent to the noise that regenerates it.
     */
    public StepResult invertStep(NDArray modelOutput, int t, NDArray sample, int steps) {
        return update(modelOutput, sample, alpha(previous(t, steps)), current(t), 0);
    }

    /**
     * A fixed-point refinement of {@link #invertStep}: with {@code modelOutput} evaluated at
     * {@code guess} (a sample at {@code t}), the sample at t from which a deterministic
     * {@link #step} with that noise lands exactly on {@code sample}. The plain inversion takes
     * the output at the earlier sample instead, which is where its round trip drifts; iterating
     * this converges to the exact inverse of the sampler (AIDI, Pan et al. 2023; ReNoise, Garibi
     * et al. 2024), for every prediction type when clip_sample is off.
     */
    public NDArray invertStepAt(NDArray modelOutput, int t, NDArray guess, NDArray sample, int steps) {
        double aT = current(t);
        double aPrev = alpha(previous(t, steps));
        double[] c = coefficients(aT);
        try (NDArray eps = Tensors.combine(c[2], guess, c[3], modelOutput)) {
            // x_t = sqrt(aT) x0 + sqrt(1 - aT) eps with x0 = (sample - sqrt(1 - aPrev) eps) / sqrt(aPrev)
            double k = Math.sqrt(aT / aPrev);
            return Tensors.combine(k, sample, Math.sqrt(1 - aT) - k * Math.sqrt(1 - aPrev), eps);
        }
    }

    /** x0 = p x + q m and eps = r x + s m, as {p, q, r, s}, for a model output m at alpha {@code a}. */
    private double[] coefficients(double a) {
        double sa = Math.sqrt(a);
        double sb = Math.sqrt(1 - a);
        return switch (config.predictionType()) {
            case EPSILON -> new double[] {1 / sa, -sb / sa, 0, 1};
            case SAMPLE -> new double[] {0, 1, 1 / sb, -sa / sb};
            case V_PREDICTION -> new double[] {sa, -sb, sb, sa};
        };
    }

    /** The DDIM transition from alpha {@code aFrom} to {@code aTo}. */
    private StepResult update(NDArray modelOutput, NDArray x, double aFrom, double aTo, double std) {
        // eps comes from the unclipped x0
        double[] c = coefficients(aFrom);
        double p = c[0], q = c[1], r = c[2], s = c[3];
        NDArray x0 = Tensors.combine(p, x, q, modelOutput);
        if (config.clipSample()) {
            NDArray unclipped = x0;
            x0 = Owned.clip(unclipped, (float) -config.clipSampleRange(), (float) config.clipSampleRange());
            unclipped.close();
        }
        // the square root guards only against rounding below 0
        double direction = Math.sqrt(Math.max(0, 1 - aTo - std * std));
        try (NDArray eps = Tensors.combine(r, x, s, modelOutput)) {
            return new StepResult(Tensors.combine(Math.sqrt(aTo), x0, direction, eps), x0);
        }
    }

    private int previous(int t, int steps) {
        if (steps < 1 || steps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("steps must be in [1, " + config.numTrainTimesteps() + "], got " + steps);
        }
        return t - config.numTrainTimesteps() / steps;
    }

    private double current(int t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside [0, " + (alphasCumprod.length - 1) + "]");
        }
        return alphasCumprod[t];
    }

    /** alphas_cumprod at a previous timestep, which is below 0 after the last step. */
    private double alpha(int t) {
        return t >= 0 ? alphasCumprod[t] : finalAlphaCumprod;
    }

    @Override
    public Sampler forSteps(int steps) {
        int[] timesteps = timesteps(steps);
        double[] asDouble = Arrays.stream(timesteps).asDoubleStream().toArray();
        return new Sampler() {
            @Override
            public int steps() {
                return steps;
            }

            @Override
            public double[] timesteps() {
                return asDouble.clone();
            }

            @Override
            public float initNoiseSigma() {
                return 1f;
            }

            @Override
            public NDArray scaleModelInput(NDArray x, int i) {
                return x;
            }

            @Override
            public StepResult step(NDArray modelOutput, int i, NDArray x) {
                return DDIMScheduler.this.step(modelOutput, timesteps[i], x, steps, 0f, null);
            }

            @Override
            public NDArray addNoise(NDArray x0, NDArray noise, int i) {
                double a = current(timesteps[i]);
                return Tensors.combine(Math.sqrt(a), x0, Math.sqrt(1 - a), noise);
            }
        };
    }
}
