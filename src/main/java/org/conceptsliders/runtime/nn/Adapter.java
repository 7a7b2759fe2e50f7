package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;

/**
 * A term added to the output of a {@link Linear} or {@link Conv2d}: where LoRA sliders hook
 * into the model without the runtime knowing of them (diffusers' attention-processor idea,
 * one level lower so that it reaches every adapted layer).
 */
public interface Adapter {
    /**
     * The term to add to the layer's output for input {@code x}, or null when the adapter is
     * off for the current call (scale 0, or outside its timestep window).
     */
    NDArray delta(NDArray x);
}
