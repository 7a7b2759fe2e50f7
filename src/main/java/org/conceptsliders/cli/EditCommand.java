package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** A real image inverted and regenerated with sliders: the CLI face of Fiji's Edit Image with Sliders. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Edit a real image with sliders: invert it under the prompt (DDIM, without sliders), then regenerate"
                + " it with the sliders on. With --scales, one result per scale of the first slider, all from one"
                + " inversion. One result: PNG; several: a TIFF stack with one labelled slice each.")
final class EditCommand implements Callable<Integer> {
    @Mixin
    GenerationOptions options;

    @Mixin
    InversionOptions inversion;

    @Option(names = "--image", required = true,
            description = "The image to edit (any type ImageJ opens; resized to --width x --height).")
    Path image;

    @Option(names = "--slider", paramLabel = "FILE:SCALE[:START_NOISE]",
            description = "A slider with its scale and optional start_noise (repeatable; --scales sweeps the first, whose"
                    + " scale may then be left out).")
    List<String> sliders = new ArrayList<>();

    @Option(names = "--scales", split = ",", description = "Scales of the first slider, one result each (default: its own scale).")
    double[] scales;

    @Option(names = "--out", required = true, description = "Output .png (one image) or .tif.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (scales != null && sliders.isEmpty()) {
            throw new IllegalArgumentException("--scales: needs a --slider to sweep");
        }
        try (Studio studio = options.open(); ConsoleProgress bar = new ConsoleProgress("edit")) {
            System.err.println("model: " + studio.describe());
            List<SliderSpec> specs = new ArrayList<>();
            for (int i = 0; i < sliders.size(); i++) {
                specs.add(i == 0 && scales != null ? GenerationOptions.swept(sliders.get(i)) : GenerationOptions.slider(sliders.get(i)));
            }
            GenerateRequest r = options.request(studio, specs, 1.0);
            if (options.scheduler == null) {
                r = r.withScheduler("ddim");  // DDIM inversion is undone by DDIM only, whatever the model's own
            }
            RgbImage in = ImageFiles.readRgb(image, r.width(), r.height());
            List<RgbImage> images = studio.edit(in, r, scales, inversion.inversion(), bar, CancelToken.none());
            ImageFiles.write(images, out);
        }
        System.err.println("wrote " + out);
        return 0;
    }
}
