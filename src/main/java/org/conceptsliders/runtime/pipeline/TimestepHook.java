package org.conceptsliders.runtime.pipeline;

/**
 * Told the timestep before every UNet evaluation of a sampling loop, so that adapters can
 * switch on or off by timestep (a slider is on only once {@code t <= start_noise}) without the
 * pipeline knowing what they are.
 */
@FunctionalInterface
public interface TimestepHook {
    TimestepHook NONE = t -> { };

    void beforeUnet(double timestep);
}
