package org.conceptsliders.fiji;

import org.conceptsliders.runtime.pipeline.RgbImage;

/**
 * Slice labels: a short first line that ImageJ shows above the image, in the format of
 * {@link org.conceptsliders.sliders.Labels} ("age 1.5 | seed 42 | a photo of..."), then the
 * image's A1111 parameters line, which TIFF keeps with the slice.
 */
final class SliceLabels {

    private SliceLabels() {
    }

    static String of(String first, RgbImage image) {
        String params = image.parametersLine();
        return params.isBlank() ? first : first + "\n" + params;
    }
}
