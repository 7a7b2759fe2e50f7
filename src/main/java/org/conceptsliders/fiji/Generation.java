package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImagePlus;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Labels;
import org.conceptsliders.sliders.Studio;

import java.util.List;

import static org.conceptsliders.fiji.Common.*;

/** Generate...: one image from a prompt with sliders at their scales. */
public final class Generation implements Operation<ImagePlus> {

    private static final List<Field> FIELDS = List.of(MODEL, DEVICE, PROMPT, NEGATIVE, STEPS, GUIDANCE,
            SCHEDULER, SEED, WIDTH, HEIGHT, SLIDER, SCALE, START_NOISE, EXTRA);

    @Override
    public String label() {
        return "Generate...";
    }

    @Override
    public List<Field> fields() {
        return FIELDS;
    }

    @Override
    public ImagePlus run(Values v, StudioCache cache) {
        var request = request(v, v.integer(SEED), size(v, WIDTH), size(v, HEIGHT), sliders(v, true));
        Studio studio = studio(v, cache);
        GenerateRequest req = request.apply(studio);
        IJ.resetEscape();
        RgbImage image = studio.generate(req, status(""), new CancelToken(IJ::escapePressed));
        IJ.showStatus("");
        return ImagePlusConversion.stack(title("Generated"), List.of(image),
                List.of(SliceLabels.of(Labels.of(req.sliders(), req), image)), info(this, v, studio));
    }
}
