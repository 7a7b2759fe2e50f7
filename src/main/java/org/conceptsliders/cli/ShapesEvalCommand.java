package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.shapes.VisualAttribute;
import org.conceptsliders.shapes.eval.EvalReport;
import org.conceptsliders.shapes.eval.ShapesEvaluation;
import org.conceptsliders.sliders.Studio;
import org.conceptsliders.sliders.Studios;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code shapes eval}: the shapes-world evaluation of a model and its sliders (issue 6). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a shapes-world model: prompt following (colour, size order, shape, background),"
                + " a text size slider, a visual slider (outline, blur, position or gradient) and their composition, and DDIM"
                + " inversion and editing of drawn pictures, measured by the shapes measurer.",
                "Writes eval.json, eval.md (a table with thresholds, reported not asserted), plots and grids into"
                        + " --out. Deterministic for a seed."})
final class ShapesEvalCommand implements Callable<Integer> {
    @Option(names = "--model", description = "A diffusers model folder. Default: the embedded shapes model.")
    Path model;

    @Option(names = "--size-slider", paramLabel = "FILE", description = "A text slider for size (optional).")
    Path sizeSlider;

    @Option(names = "--visual-slider", paramLabel = "FILE", description = "A visual slider (optional).")
    Path visualSlider;

    @Option(names = "--attribute", defaultValue = "gradient",
            description = "What the visual slider changes: outline, blur, position or gradient (default: ${DEFAULT-VALUE}).")
    String attribute;

    @Option(names = "--samples", defaultValue = "50",
            description = "Seeds per prompt for prompt following; 0 skips it (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--slider-seeds", defaultValue = "8", description = "Seeds of each slider sweep (default: ${DEFAULT-VALUE}).")
    int sliderSeeds;

    @Option(names = "--inversions", defaultValue = "8",
            description = "Drawn pictures to invert and edit; 0 skips it (default: ${DEFAULT-VALUE}).")
    int inversions;

    @Mixin
    InversionOptions inversion;

    @Option(names = "--steps", defaultValue = "25", description = "DDIM steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.5",
            description = "Classifier-free guidance of generations; inversions use 1 (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--seed", defaultValue = "0", description = "First seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    DeviceOption device;

    @Option(names = "--out", defaultValue = "docs/eval", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (Path p : new Path[] {sizeSlider, visualSlider}) {
            if (p != null && !Files.isRegularFile(p)) {
                throw new IllegalArgumentException("slider file " + p + " not found");
            }
        }
        VisualAttribute a = VisualAttribute.parse(attribute);
        ShapesEvaluation.Options o = new ShapesEvaluation.Options(samples, sliderSeeds, inversions, inversion.inversion(), steps, guidance, seed,
                sizeSlider, visualSlider, a);
        EvalReport report;
        try (Studio studio = Studios.open(model, device.spec); ConsoleProgress bar = new ConsoleProgress("eval")) {
            report = ShapesEvaluation.run(studio, o, bar, CancelToken.none());
        }
        List<Path> files = report.write(out);
        System.out.print(report.markdown());
        System.err.println("wrote " + files.size() + " files to " + out);
        return 0;
    }
}
