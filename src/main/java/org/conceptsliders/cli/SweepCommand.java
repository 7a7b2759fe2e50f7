package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** One prompt and seed, one image per slider scale (or a grid over two sliders), as a stack. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Sweep a slider over scales with one seed (same noise) into a TIFF stack, one labelled slice"
                + " per scale; with --slider2, a grid (first slider outer). --with adds sliders at fixed scales.")
final class SweepCommand implements Callable<Integer> {
    @Mixin
    GenerationOptions options;

    @Option(names = "--slider", required = true, paramLabel = "FILE[:SCALE:START_NOISE]",
            description = "The slider to sweep (a file or a name in ./sliders); a scale given here is ignored.")
    String slider;

    @Option(names = "--with", paramLabel = "FILE:SCALE[:START_NOISE]", description = "A slider kept at a fixed scale (repeatable).")
    List<String> fixed = new java.util.ArrayList<>();

    @Option(names = "--scales", defaultValue = "-2,-1,0,1,2", split = ",", description = "Scales (default: ${DEFAULT-VALUE}).")
    double[] scales;

    @Option(names = "--slider2", description = "A second slider for a 2-D grid.")
    String slider2;

    @Option(names = "--scales2", split = ",", description = "Scales of the second slider.")
    double[] scales2;

    @Option(names = "--out", required = true, description = "Output TIFF stack (.tif).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SliderSpec first = GenerationOptions.swept(slider);
        SliderSpec second = slider2 == null ? null : GenerationOptions.swept(slider2);
        if (second != null && scales2 == null) {
            throw new IllegalArgumentException("--scales2: needed with --slider2");
        }
        try (Studio studio = options.open(); ConsoleProgress bar = new ConsoleProgress("sweep")) {
            System.err.println("model: " + studio.describe());
            List<RgbImage> images = studio.sweep(options.request(studio, fixed), first, scales, second, scales2, bar,
                    CancelToken.none());
            ImageFiles.write(images, out);
        }
        System.err.println("wrote " + out + " (" + scales.length * (scales2 == null ? 1 : scales2.length) + " slices, scales "
                + Arrays.toString(scales) + ")");
        return 0;
    }
}
