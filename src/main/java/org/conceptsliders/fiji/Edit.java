package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImagePlus;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Inversion;
import org.conceptsliders.sliders.Labels;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.conceptsliders.fiji.Common.*;

/**
 * Edit Image with Sliders...: each slice of an image (8-bit, 16-bit, 32-bit or RGB, any size)
 * is inverted and regenerated with the sliders, one result per slice, or one per slice and
 * scale when {@code scales} is given; {@code latent_fit} and {@code fixed_point} say
 * how the slices are inverted ({@link Inversion}). The result keeps the input's size and calibration. A
 * cancel (Escape) between or during slices keeps the slices already done.
 */
public final class Edit implements Operation<ImagePlus> {

    static final Field STACK = Field.flag("stack", "Every slice of the stack", true);
    static final Field SCALES = Field.text("scales", "Sweep scales per slice (empty: the scale above)", "");
    static final Field FIT = Field.number("latent_fit", "Latent fit steps (0: the encoder's latent)", "0");
    static final Field ITERATIONS = Field.number("fixed_point", "Inversion fixed-point iterations", "1");

    private static final List<Field> FIELDS = List.of(MODEL, DEVICE, PROMPT, NEGATIVE, STEPS, GUIDANCE,
            SCHEDULER, IMAGE, STACK, FIT, ITERATIONS, SLIDER, SCALE, SCALES, START_NOISE, EXTRA);

    @Override
    public String label() {
        return "Edit Image with Sliders...";
    }

    @Override
    public List<Field> fields() {
        return FIELDS;
    }

    @Override
    public ImagePlus run(Values v, StudioCache cache) {
        ImagePlus imp = image(v, IMAGE);
        if (imp.getNChannels() > 1) {
            throw new IllegalArgumentException("'" + imp.getTitle() + "' has " + imp.getNChannels() + " channels; the model "
                    + "edits one RGB or grey image per slice. Use Image>Color>Stack to RGB first.");
        }
        double[] scales = v.numbers(SCALES);
        List<SliderSpec> sliders = sliders(v, true);
        if (sliders.isEmpty() || scales.length > 0 && v.text(SLIDER).isBlank()) {
            throw new IllegalArgumentException("slider: choose the slider to edit with (a name in the sliders folder or a .safetensors file).");
        }
        int w = imp.getWidth(), h = imp.getHeight();
        var request = request(v, 0, ImagePlusConversion.roundUp8(w), ImagePlusConversion.roundUp8(h), sliders);
        int[] slices = v.flag(STACK) ? java.util.stream.IntStream.rangeClosed(1, imp.getStackSize()).toArray()
                : new int[] {imp.getCurrentSlice()};
        Studio studio = studio(v, cache);
        // DDIM inversion is undone by DDIM only, whatever the model's own scheduler
        GenerateRequest req = choice(v, SCHEDULER).isEmpty() ? request.apply(studio).withScheduler("ddim") : request.apply(studio);
        Inversion inversion = new Inversion(integer(v, FIT, 0, 100_000), integer(v, ITERATIONS, 0, 20));

        List<RgbImage> done = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        IJ.resetEscape();
        CancelToken cancel = new CancelToken(IJ::escapePressed);
        try {
            for (int i = 0; i < slices.length; i++) {
                cancel.check();
                String where = "slice " + (i + 1) + " of " + slices.length;
                IJ.showStatus(where);
                IJ.showProgress(i, slices.length);
                RgbImage in = ImagePlusConversion.slice(imp, slices[i]);
                List<RgbImage> out = studio.edit(ImagePlusConversion.padded(in), req, scales.length > 0 ? scales : null,
                        inversion, status(where), cancel);
                for (int k = 0; k < out.size(); k++) {
                    List<SliderSpec> shown = new ArrayList<>(sliders);
                    if (scales.length > 0) {
                        shown.set(0, sliders.get(0).withScale(scales[k]));
                    }
                    String source = in.label().isEmpty() ? "slice " + slices[i] : in.label();
                    done.add(ImagePlusConversion.cropped(out.get(k), w, h));
                    labels.add(SliceLabels.of(source + " | " + Labels.edit(shown, req), out.get(k)));
                }
            }
        } catch (CancellationException e) {
            if (done.isEmpty()) {
                throw e;
            }
            IJ.log("Concept Sliders: cancelled; kept the " + labels.size() + " results done.");
        } finally {
            IJ.showProgress(1.0);
            IJ.showStatus("");
        }
        String base = imp.getShortTitle().isEmpty() ? imp.getTitle() : imp.getShortTitle();
        ImagePlus result = ImagePlusConversion.stack(base + "-sliders", done, labels, info(this, v, studio));
        ImagePlusConversion.copyCalibration(imp, result);
        return result;
    }
}
