package org.conceptsliders.sliders;

import org.conceptsliders.runtime.Compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Opens a {@link Studio} on a model folder, or on the embedded default model. */
public final class Studios {
    private Studios() {
    }

    /**
     * @param model  a diffusers model folder, or null for the embedded default model
     * @param device "auto", "cpu", "gpu" or "gpu:N"
     */
    public static Studio open(Path model, String device) {
        try {
            return DiffusionStudio.open(model == null ? EmbeddedModel.folder() : model, Compute.parse(device));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
