package org.conceptsliders.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * One scheduler step's output (diffusers' {@code *SchedulerOutput}): the sample of the next step and the
 * model's estimate of the clean sample, useful for previews.
 */
public record StepResult(NDArray prevSample, NDArray predOriginal) {
}
