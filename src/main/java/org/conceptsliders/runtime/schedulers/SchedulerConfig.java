package org.conceptsliders.runtime.schedulers;

import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.config.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A model folder's {@code scheduler/scheduler_config.json}, as diffusers 0.20 reads it with
 * {@code from_config}: absent keys take the defaults of the scheduler class that reads the file
 * (a SD 1.5 folder without {@code timestep_spacing} is "leading" for DDIM, "linspace" for Euler),
 * keys of other schedulers are ignored, and options this runtime does not implement
 * ({@code thresholding}, {@code trained_betas}, Karras sigmas, ...) are refused by name.
 *
 * @param clipSample      DDIM only: clamp the predicted x0 to {@code [-clipSampleRange, clipSampleRange]}
 * @param setAlphaToOne   DDIM only: the step past t = 0 goes to alpha 1 rather than alphas_cumprod[0]
 */
public record SchedulerConfig(int numTrainTimesteps, double betaStart, double betaEnd, BetaSchedule betaSchedule,
                              PredictionType predictionType, TimestepSpacing timestepSpacing, int stepsOffset,
                              boolean setAlphaToOne, boolean clipSample, double clipSampleRange) {

    /** How betas run over the training timesteps ({@code beta_schedule}). */
    public enum BetaSchedule {
        LINEAR, SCALED_LINEAR, SQUAREDCOS_CAP_V2;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the UNet predicts ({@code prediction_type}). */
    public enum PredictionType {
        EPSILON, V_PREDICTION, SAMPLE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How inference timesteps are picked from the training ones ({@code timestep_spacing}). */
    public enum TimestepSpacing {
        LEADING, TRAILING, LINSPACE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw new IllegalArgumentException("numTrainTimesteps must be at least 2, got " + numTrainTimesteps);
        }
        if (!(betaStart > 0 && betaEnd >= betaStart && betaEnd < 1)) {
            throw new IllegalArgumentException("betas must satisfy 0 < betaStart <= betaEnd < 1, got "
                    + betaStart + ", " + betaEnd);
        }
        if (betaSchedule == null || predictionType == null || timestepSpacing == null) {
            throw new IllegalArgumentException("betaSchedule, predictionType and timestepSpacing are required");
        }
        if (!(clipSampleRange > 0)) {
            throw new IllegalArgumentException("clipSampleRange must be positive, got " + clipSampleRange);
        }
    }

    /** Reads {@code file} with the defaults of the scheduler {@code kind}. */
    public static SchedulerConfig read(Path file, SchedulerKind kind) throws IOException {
        return from(Config.read(file), kind);
    }

    /** The values of {@code config} with the defaults of the scheduler {@code kind}. */
    public static SchedulerConfig from(Config config, SchedulerKind kind) {
        refuse(config, "trained_betas", "explicit beta lists are not supported; use beta_start/beta_end/beta_schedule");
        if (config.getBoolean("thresholding", false)) {
            throw config.error("thresholding", "unsupported value true (dynamic thresholding is not implemented; supported: false)");
        }
        boolean ddim = kind == SchedulerKind.DDIM;
        if (ddim && config.getBoolean("rescale_betas_zero_snr", false)) {
            throw config.error("rescale_betas_zero_snr", "unsupported value true (supported: false)");
        }
        if (!ddim) {
            if (config.getBoolean("use_karras_sigmas", false)) {
                throw config.error("use_karras_sigmas", "unsupported value true (supported: false)");
            }
            config.getChoice("interpolation_type", "linear", "linear");
        }
        int train = config.getInt("num_train_timesteps", 1000);
        double start = config.getDouble("beta_start", 0.0001);
        double end = config.getDouble("beta_end", 0.02);
        if (train < 2) {
            throw config.error("num_train_timesteps", "must be at least 2, found " + train);
        }
        if (!(start > 0 && end >= start && end < 1)) {
            throw config.error("beta_end", "betas must satisfy 0 < beta_start <= beta_end < 1, found " + start + ", " + end);
        }
        double range = config.getDouble("clip_sample_range", 1.0);
        if (!(range > 0)) {
            throw config.error("clip_sample_range", "must be positive, found " + range);
        }
        return new SchedulerConfig(train, start, end,
                choice(config, "beta_schedule", BetaSchedule.LINEAR, BetaSchedule.values()),
                choice(config, "prediction_type", PredictionType.EPSILON, PredictionType.values()),
                choice(config, "timestep_spacing", ddim ? TimestepSpacing.LEADING : TimestepSpacing.LINSPACE,
                        TimestepSpacing.values()),
                config.getInt("steps_offset", 0),
                ddim && config.getBoolean("set_alpha_to_one", true),
                ddim && config.getBoolean("clip_sample", true),
                range);
    }

    private static void refuse(Config config, String key, String why) {
        if (config.has(key)) {
            throw config.error(key, why);
        }
    }

    private static <E extends Enum<E>> E choice(Config config, String key, E dflt, E[] values) {
        String[] ids = Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
        String v = config.getChoice(key, ids[dflt.ordinal()], ids);
        return values[Arrays.asList(ids).indexOf(v)];
    }

    /** This config with another timestep spacing (diffusers: {@code from_config(c, timestep_spacing=...)}). */
    public SchedulerConfig withTimestepSpacing(TimestepSpacing spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, spacing,
                stepsOffset, setAlphaToOne, clipSample, clipSampleRange);
    }

    /** This config with another prediction type. */
    public SchedulerConfig withPredictionType(PredictionType type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, type, timestepSpacing,
                stepsOffset, setAlphaToOne, clipSample, clipSampleRange);
    }

    /** The training noise schedule beta_t, t = 0 .. numTrainTimesteps - 1. */
    public double[] betas() {
        int n = numTrainTimesteps;
        double[] betas = new double[n];
        for (int i = 0; i < n; i++) {
            betas[i] = switch (betaSchedule) {
                case LINEAR -> linspace(betaStart, betaEnd, n, i);
                case SCALED_LINEAR -> {
                    // latent diffusion's schedule: linear in sqrt(beta)
                    double s = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n, i);
                    yield s * s;
                }
                // Nichol & Dhariwal's cosine alpha_bar, betas capped at 0.999
                case SQUAREDCOS_CAP_V2 -> Math.min(1 - cosineAlphaBar((i + 1.0) / n) / cosineAlphaBar((double) i / n), 0.999);
            };
        }
        return betas;
    }

    /** alpha_bar_t = prod_{s <= t} (1 - beta_s), the signal fraction of the training timestep t. */
    public double[] alphasCumprod() {
        double[] a = betas();
        double prod = 1;
        for (int i = 0; i < a.length; i++) {
            prod *= 1 - a[i];
            a[i] = prod;
        }
        return a;
    }

    /**
     * The inference timesteps, first (noisiest) to last, before rounding: numpy's
     * {@code linspace(0, T - 1, n)} is fractional for "linspace" (DDIM rounds it, Euler does not);
     * the other spacings give whole numbers. "trailing" rounds numpy's
     * {@code arange(T, 0, -T / n)} (whose k-th value is {@code T + k * ((T - T / n) - T)}, which
     * decides the ties) and subtracts 1; for a few step counts (61 of 1 to 1000) that float
     * {@code arange} has a spurious extra entry (timestep -1), which is not reproduced.
     */
    double[] rawTimesteps(int steps) {
        if (steps < 1 || steps > numTrainTimesteps) {
            throw new IllegalArgumentException("steps must be in [1, " + numTrainTimesteps + "], got " + steps);
        }
        double trailingDelta = (numTrainTimesteps - (double) numTrainTimesteps / steps) - numTrainTimesteps;
        double[] t = new double[steps];
        for (int k = 0; k < steps; k++) {
            t[k] = switch (timestepSpacing) {
                case LINSPACE -> linspace(0, numTrainTimesteps - 1, steps, steps - 1 - k);
                case LEADING -> (double) (steps - 1 - k) * (numTrainTimesteps / steps) + stepsOffset;
                case TRAILING -> Math.rint(numTrainTimesteps + k * trailingDelta) - 1;
            };
        }
        return t;
    }

    /** numpy's {@code linspace(start, stop, n)[i]}: {@code start + i * step}, the last value exactly stop. */
    private static double linspace(double start, double stop, int n, int i) {
        if (n == 1) {
            return start;
        }
        return i == n - 1 ? stop : start + i * ((stop - start) / (n - 1));
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
