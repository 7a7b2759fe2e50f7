package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImagePlus;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Labels;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static org.conceptsliders.fiji.Common.*;

/**
 * Slider Sweep...: one prompt and seed, one slice per scale of {@code slider}, or a grid with
 * a {@code second} slider (slice order: first slider outer, second inner).
 */
public final class Sweep implements Operation<ImagePlus> {

    static final Field SCALES = Field.text("scales", "Scales (comma separated)", "-2, -1, 0, 1, 2");
    static final Field SECOND = Field.text("second", "Second slider (grid; empty: none)", "");
    static final Field SECONDSCALES = Field.text("secondscales", "Second slider's scales", "-1, 0, 1");

    private static final List<Field> FIELDS = List.of(MODEL, DEVICE, PROMPT, NEGATIVE, STEPS, GUIDANCE,
            SCHEDULER, SEED, WIDTH, HEIGHT, SLIDER, SCALES, SECOND, SECONDSCALES, START_NOISE, EXTRA);

    @Override
    public String label() {
        return "Slider Sweep...";
    }

    @Override
    public List<Field> fields() {
        return FIELDS;
    }

    @Override
    public ImagePlus run(Values v, StudioCache cache) {
        if (v.text(SLIDER).isBlank()) {
            throw new IllegalArgumentException("slider: choose the slider to sweep (a name in the sliders folder or a .safetensors file).");
        }
        double[] scales = nonEmpty(v, SCALES);
        SliderSpec first = slider(v.text(SLIDER), 0, startNoise(v), OptionalInt.empty());
        boolean grid = !v.text(SECOND).isBlank();
        SliderSpec second = grid ? slider(v.text(SECOND), 0, OptionalInt.empty(), OptionalInt.empty()) : null;
        double[] scales2 = grid ? nonEmpty(v, SECONDSCALES) : null;
        var request = request(v, v.integer(SEED), size(v, WIDTH), size(v, HEIGHT), sliders(v, false));
        Studio studio = studio(v, cache);
        GenerateRequest req = request.apply(studio);
        IJ.resetEscape();
        List<RgbImage> images = studio.sweep(req, first, scales, second, scales2, status(""),
                new CancelToken(IJ::escapePressed));
        int expected = scales.length * (grid ? scales2.length : 1);
        if (images.size() != expected) {
            throw new IllegalStateException("the model returned " + images.size() + " images for " + expected + " scales");
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < scales.length; i++) {
            for (int j = 0; j < (grid ? scales2.length : 1); j++) {
                List<SliderSpec> swept = grid ? List.of(first.withScale(scales[i]), second.withScale(scales2[j]))
                        : List.of(first.withScale(scales[i]));
                labels.add(SliceLabels.of(Labels.of(swept, req), images.get(labels.size())));
            }
        }
        IJ.showStatus("");
        return ImagePlusConversion.stack(title("Sweep " + Labels.name(first)), images, labels, info(this, v, studio));
    }

    private static double[] nonEmpty(Values v, Field f) {
        double[] s = v.numbers(f);
        if (s.length == 0) {
            throw new IllegalArgumentException(f.key() + ": give at least one scale, e.g. -2, 0, 2");
        }
        return s;
    }
}
