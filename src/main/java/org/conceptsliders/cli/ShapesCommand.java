package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;
import org.conceptsliders.shapes.VisualAttribute;
import org.conceptsliders.shapes.eval.TrainingCurves;
import org.conceptsliders.shapes.train.BaseModelRecipe;
import org.conceptsliders.shapes.train.BaseModelTrainer;
import org.conceptsliders.shapes.train.DecoderRecipe;
import org.conceptsliders.shapes.train.DecoderTuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/** The shapes world: the drawn data the embedded model and its sliders are trained on. */
@Command(name = "shapes", mixinStandardHelpOptions = true,
        description = "The shapes world: train the embedded base model, draw image pairs for visual sliders.",
        subcommands = {ShapesCommand.TrainBase.class, ShapesCommand.TuneDecoder.class, ShapesCommand.Pairs.class,
                ShapesCommand.Curves.class, ShapesEvalCommand.class})
final class ShapesCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "train-base", mixinStandardHelpOptions = true,
            description = {"Train (or resume) the tiny SD-architecture base model on the shapes world: VAE (until it"
                    + " keeps every colour), then UNet + CLIP text tower; exports a diffusers folder (fp16 EMA weights).",
                    "Checkpoints go to WORK; rerun the same command to resume exactly. Set DNNL_MAX_CPU_ISA=SSE41 on"
                            + " CPUs where oneDNN's AVX2 convolution backward gives NaN (docs/embedded-model.md)."})
    static final class TrainBase implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "WORK", description = "Work folder (checkpoints, logs, latent cache).")
        Path work;

        @Parameters(index = "1", paramLabel = "OUT", description = "Output model folder.")
        Path out;

        @Option(names = "--recipe", description = "Recipe JSON (default: WORK/recipe.json when resuming, else the built-in one).")
        Path recipe;

        @Option(names = "--from", paramLabel = "MODEL", description = "Fine-tune this model folder (the recipe's architecture)"
                + " instead of training from scratch: its VAE is kept, its UNet and text encoder train for the recipe's unetSteps.")
        Path from;

        @Override
        public Integer call() throws Exception {
            Path saved = work.resolve("recipe.json");
            BaseModelRecipe r = recipe != null ? BaseModelRecipe.read(recipe)
                    : Files.exists(saved) ? BaseModelRecipe.read(saved) : BaseModelRecipe.defaults();
            try (ConsoleProgress bar = new ConsoleProgress("train-base")) {
                BaseModelTrainer.run(work, out, r, from, bar, CancelToken.none());
            }
            System.err.println("model written to " + out);
            return 0;
        }
    }

    @Command(name = "tune-decoder", mixinStandardHelpOptions = true,
            description = {"Fine-tune the VAE decoder of a shapes model with its encoder frozen (sharper pictures, the"
                    + " same latent space, so the UNet and the sliders stay valid) and write the model with it to OUT.",
                    "Checkpoints go to WORK; rerun the same command to resume exactly."})
    static final class TuneDecoder implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "The model folder train-base wrote.")
        Path model;

        @Parameters(index = "1", paramLabel = "WORK", description = "Work folder (checkpoint, loss log, colour check).")
        Path work;

        @Parameters(index = "2", paramLabel = "OUT", description = "Output model folder.")
        Path out;

        @Option(names = "--recipe", description = "Recipe JSON (default: the one the embedded model was tuned with).")
        Path recipe;

        @Override
        public Integer call() throws Exception {
            DecoderRecipe r = recipe != null ? DecoderRecipe.read(recipe) : DecoderRecipe.defaults();
            try (ConsoleProgress bar = new ConsoleProgress("tune-decoder")) {
                DecoderTuner.run(model, work, out, r, bar, CancelToken.none());
            }
            System.err.println("model written to " + out);
            return 0;
        }
    }

    @Command(name = "pairs", mixinStandardHelpOptions = true,
            description = "Draw before/after pairs that differ only in an attribute no caption mentions, as"
                    + " OUT/low/NNN.png and OUT/high/NNN.png (the input of train-pairs).")
    static final class Pairs implements Callable<Integer> {
        @Option(names = "--attribute", defaultValue = "gradient", description = "outline, blur, position or gradient (default: ${DEFAULT-VALUE}).")
        String attribute;

        @Option(names = "--count", defaultValue = "24", description = "Pairs to draw (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--size", defaultValue = "64", description = "Image side (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the scenes (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--world", defaultValue = "gradient", description = "The world the scenes come from:"
                + " gradient (a random background gradient in each) or flat (flat backgrounds, the embedded base model's)"
                + " (default: ${DEFAULT-VALUE}).")
        ShapesWorld.Version world;

        @Option(names = "--out", required = true, description = "Output folder.")
        Path out;

        @Override
        public Integer call() throws Exception {
            VisualAttribute a = VisualAttribute.parse(attribute);
            ShapesWorld world = new ShapesWorld(size, size, this.world);
            Random rng = new Random(seed);
            for (int i = 0; i < count; i++) {
                ShapeScene scene = world.random(rng);
                ShapesWorld.Pair p = world.pair(scene, a, a.low(), a.high());
                String name = String.format(Locale.ROOT, "%03d.png", i);
                ImageFiles.writePng(new RgbImage(size, size, p.lowArgb(), name, Map.of()), out.resolve("low").resolve(name));
                ImageFiles.writePng(new RgbImage(size, size, p.highArgb(), name, Map.of()), out.resolve("high").resolve(name));
            }
            System.err.println("wrote " + count + " pairs to " + out);
            return 0;
        }
    }

    @Command(name = "curves", mixinStandardHelpOptions = true,
            description = "Plot training loss logs (the *.loss.csv that train-base, tune-decoder, train-text and train-pairs write)"
                    + " as one PNG: the mean loss over windows of steps, a line per log.")
    static final class Curves implements Callable<Integer> {
        @Parameters(paramLabel = "NAME=CSV", arity = "1..*", description = "A legend name and its loss log.")
        Map<String, Path> logs;

        @Option(names = "--window", defaultValue = "100", description = "Steps per mean (default: ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--title", defaultValue = "training loss", description = "Plot title (default: ${DEFAULT-VALUE}).")
        String title;

        @Option(names = "--out", required = true, description = "The PNG to write.")
        Path out;

        @Override
        public Integer call() throws Exception {
            TrainingCurves.plot(out, title, logs, window);
            System.err.println("wrote " + out);
            return 0;
        }
    }
}
