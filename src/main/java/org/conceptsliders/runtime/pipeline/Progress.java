package org.conceptsliders.runtime.pipeline;

/**
 * One finished unit of long work: a denoising step, a training iteration or a slice of a stack.
 *
 * @param step      1-based index of the unit just finished
 * @param total     number of units in the run
 * @param timestep  the diffusion timestep of the step (NaN where none applies)
 * @param elapsedNanos time since the run started
 * @param message   what is being done, for status bars ("slice 2 of 5", "loss 0.031"); never null
 */
public record Progress(int step, int total, double timestep, long elapsedNanos, String message) {

    public Progress {
        message = message == null ? "" : message;
    }

    /** Seconds left at the mean rate so far. */
    public double secondsLeft() {
        return step <= 0 ? Double.NaN : elapsedNanos / 1e9 / step * (total - step);
    }
}
