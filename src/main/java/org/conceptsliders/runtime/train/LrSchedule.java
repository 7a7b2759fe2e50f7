package org.conceptsliders.runtime.train;

/**
 * Learning rate as a function of the number of optimizer steps already taken, as diffusers'
 * {@code get_scheduler} builds them (a LambdaLR: the first update uses {@code lr(0)}, so with
 * warmup it is zero, exactly as in the reference training scripts).
 */
@FunctionalInterface
public interface LrSchedule {

    /** The rate for update number {@code step} (0-based). */
    double lr(int step);

    static LrSchedule constant(double lr) {
        return step -> lr;
    }

    /** diffusers "constant_with_warmup": linear from 0 to {@code lr} over {@code warmup} steps. */
    static LrSchedule constantWithWarmup(double lr, int warmup) {
        return step -> lr * warmupFactor(step, warmup);
    }

    /** diffusers "cosine" (half a cycle after linear warmup), reaching 0 at {@code total}. */
    static LrSchedule cosineWithWarmup(double lr, int warmup, int total) {
        return warmupStableDecay(lr, warmup, total - warmup, total);
    }

    /**
     * Warmup, then constant, then half a cosine to 0 over the last {@code decay} of {@code total}
     * steps ("warmup-stable-decay"): the constant part can be extended by a resumed run, and the
     * final fall to 0 is where a constant-rate run's loss plateau drops.
     */
    static LrSchedule warmupStableDecay(double lr, int warmup, int decay, int total) {
        int decayStart = Math.max(warmup, total - decay);
        return step -> {
            if (step < decayStart) {
                return lr * warmupFactor(step, warmup);
            }
            double progress = (double) (step - decayStart) / Math.max(1, total - decayStart);
            return lr * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }

    private static double warmupFactor(int step, int warmup) {
        return step < warmup ? (double) step / Math.max(1, warmup) : 1.0;
    }
}
