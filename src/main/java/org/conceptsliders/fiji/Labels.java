package org.conceptsliders.fiji;

import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.SliderSpec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Slice labels: a short first line that ImageJ shows above the image ("age 1.5 | seed 42 | a
 * photo of..."), then the image's A1111 parameters line, which TIFF keeps with the slice.
 */
final class Labels {

    private Labels() {
    }

    static String name(SliderSpec s) {
        return SliderLibrary.card(s.file()).name();
    }

    static String sliders(List<SliderSpec> sliders) {
        return sliders.stream().map(s -> name(s) + " " + Values.format(s.scale())).collect(Collectors.joining(", "));
    }

    static String of(String head, GenerateRequest r, RgbImage image) {
        return of((head.isEmpty() ? "" : head + " | ") + "seed " + r.seed(), r.prompt(), image);
    }

    static String of(String head, String prompt, RgbImage image) {
        String first = head + " | " + prompt;
        String params = image.parametersLine();
        return params.isBlank() ? first : first + "\n" + params;
    }
}
