package org.conceptsliders.fiji;

import org.conceptsliders.sliders.Studio;
import org.conceptsliders.sliders.Studios;

import java.nio.file.Path;

/**
 * Opens models for the Fiji commands. The default opens the diffusion runtime; tests and other
 * back ends put their own in with {@link StudioCache#setFactory} or
 * {@link ConceptSlidersService#setFactory}.
 */
public interface StudioFactory {

    /** The factory of this build: the diffusion runtime and its slider trainers. */
    StudioFactory DEFAULT = new StudioFactory() {
        @Override
        public Studio open(Path model, String device) {
            return Studios.open(model, device);
        }
    };

    /**
     * @param model  a diffusers model folder, or null for the embedded default model
     * @param device "auto", "cpu" or "gpu"
     */
    Studio open(Path model, String device);

    /** The slider trainer for {@code model} (null: the embedded model): this build's text and image-pair trainers. */
    default SliderTrainer trainer(Path model, String device) {
        return new RuntimeSliderTrainer(model, device);
    }
}
