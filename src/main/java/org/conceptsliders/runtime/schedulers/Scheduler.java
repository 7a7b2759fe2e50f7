package org.conceptsliders.runtime.schedulers;

/**
 * A diffusers sampling scheduler as an immutable value: its config and, for a number of
 * inference steps, the {@link Sampler} that walks them. Unlike diffusers' schedulers nothing is
 * set or remembered between calls, so one instance serves concurrent generations.
 */
public interface Scheduler {
    SchedulerConfig config();

    /** The schedule for {@code steps} inference steps (1 to num_train_timesteps). */
    Sampler forSteps(int steps);
}
