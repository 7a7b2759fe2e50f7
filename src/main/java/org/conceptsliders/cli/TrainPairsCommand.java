package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.sliders.train.ImagePairs;
import org.conceptsliders.sliders.train.PairSliderConfig;
import org.conceptsliders.sliders.train.PairSliderTrainer;
import org.conceptsliders.sliders.train.TrainMethod;
import org.conceptsliders.sliders.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** A visual slider from image pairs. */
@Command(name = "train-pairs", mixinStandardHelpOptions = true,
        description = "Train a visual slider from image pairs: files with the same name in a low and a high folder.")
final class TrainPairsCommand implements Callable<Integer> {
    @Mixin
    TrainOptions train;

    @Option(names = "--low", description = "Images with less of the concept (scale 1).")
    Path low;

    @Option(names = "--high", description = "The same scenes with more of the concept.")
    Path high;

    @Option(names = "--pairs", paramLabel = "DIR:SCALE",
            description = "More levels: DIR holds low/ and high/, trained at +-SCALE (repeatable).")
    List<String> pairs = new ArrayList<>();

    @Option(names = "--prompt", defaultValue = "", description = "Prompt describing the images (default: empty).")
    String prompt;

    @Option(names = "--size", defaultValue = "0", description = "Shorter side for training (default: 256 SD 1.x/2.x, 512 SDXL, capped at the model's native size).")
    int size;

    @Option(names = "--lr", defaultValue = "2e-4", description = "Learning rate (default: ${DEFAULT-VALUE}; 1e-5 if results turn to noise).")
    double lr;

    @Option(names = "--rank", defaultValue = "4", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--train-method", defaultValue = "noxattn", description = "noxattn, innoxattn, selfattn, xattn, xattn-strict or full (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--symmetry", defaultValue = "0", description = "Weight of a term that keeps the slider's effect odd in its scale, so that -s and +s do not both change what should stay (default: ${DEFAULT-VALUE}, the paper's objective).")
    double symmetry;

    @Override
    public Integer call() throws Exception {
        List<ImagePairs.Level> levels = new ArrayList<>();
        if (low != null || high != null) {
            if (low == null || high == null) {
                throw new IllegalArgumentException("--low and --high go together");
            }
            levels.add(new ImagePairs.Level(1.0, ImagePairs.fromFolders(low, high)));
        }
        for (String p : pairs) {
            Map.Entry<Path, Double> e = ImagePairs.parseLevel(p);
            levels.add(new ImagePairs.Level(e.getValue(), ImagePairs.fromFolders(e.getKey().resolve("low"), e.getKey().resolve("high"))));
        }
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("give --low and --high, or --pairs DIR:SCALE");
        }
        PairSliderConfig c = new PairSliderConfig(levels, prompt, size, TrainMethod.parse(method), true, rank, 1f,
                train.iterations == null ? 1000 : train.iterations, lr, symmetry);
        try (StableDiffusionModel model = train.open(); ConsoleProgress bar = new ConsoleProgress("train-pairs")) {
            System.err.println("model: " + model.describe());
            TrainResult r = new PairSliderTrainer(model).train(c, train.out, train.options(bar));
            System.err.println("wrote " + r.slider() + " after " + r.steps() + " steps");
        }
        return 0;
    }
}
