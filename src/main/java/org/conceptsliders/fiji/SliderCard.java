package org.conceptsliders.fiji;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * A slider file and what its card says about it. The card is {@code X.json} or {@code X.yaml}
 * next to {@code X.safetensors}, with the keys {@code name}, {@code concept}, {@code base_model},
 * {@code suggested_scales} (a list of numbers) and {@code start_noise}; every key is optional
 * and a slider without card is named after its file.
 */
public record SliderCard(Path file, String name, String concept, String baseModel,
                         double[] suggestedScales, OptionalInt startNoise) {

    /** One line for a listing: "age  (concept: old age; base: sd-1.5; scales: -3, 0, 3)". */
    public String describe() {
        StringBuilder sb = new StringBuilder(name);
        sb.append("  (").append(file.getFileName());
        if (!concept.isEmpty()) {
            sb.append("; concept: ").append(concept);
        }
        if (!baseModel.isEmpty()) {
            sb.append("; base: ").append(baseModel);
        }
        if (suggestedScales.length > 0) {
            sb.append("; scales: ").append(Values.format(suggestedScales));
        }
        startNoise.ifPresent(s -> sb.append("; start_noise: ").append(s));
        return sb.append(')').toString();
    }
}
