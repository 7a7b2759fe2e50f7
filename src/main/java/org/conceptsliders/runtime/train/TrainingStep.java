package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDManager;

/**
 * One training iteration: draw what is random from {@code rng}, create inputs in
 * {@code manager} (closed right after the step), compute the loss inside a GradientCollector
 * and call {@code backward}; the loop then applies the optimizer. Parts that need no gradient
 * (a frozen model's target) belong in a {@link NoGrad} block.
 */
@FunctionalInterface
public interface TrainingStep {

    /**
     * @param iteration 0-based index of this iteration in the whole run (a resumed run goes on counting)
     * @return the loss value, for logging
     */
    float run(int iteration, TrainRandom rng, NDManager manager) throws Exception;
}
