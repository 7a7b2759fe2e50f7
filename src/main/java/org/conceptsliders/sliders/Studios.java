package org.conceptsliders.sliders;

import java.nio.file.Path;

/** Opens a {@link Studio} on a model folder. Placeholder until the runtime is merged. */
public final class Studios {
    private Studios() {
    }

    /**
     * @param model  a diffusers model folder, or null for the embedded default model
     * @param device "auto", "cpu" or "gpu"
     */
    public static Studio open(Path model, String device) {
        throw new UnsupportedOperationException("runtime not merged yet");
    }
}
