package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.sliders.train.TextSliderConfig;
import org.conceptsliders.sliders.train.TextSliderTrainer;
import org.conceptsliders.sliders.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** A text slider from the paper's prompts or config YAML. */
@Command(name = "train-text", mixinStandardHelpOptions = true,
        description = "Train a text slider (the paper's objective) from a prompts.yaml or config.yaml (docs/training.md).")
final class TrainTextCommand implements Callable<Integer> {
    @Mixin
    TrainOptions train;

    @Option(names = "--config", required = true, description = "A prompts YAML (list of sets) or a training config YAML.")
    Path config;

    @Option(names = "--attributes", description = "Preservation attributes, comma separated (e.g. \"male, female\").")
    String attributes;

    @Override
    public Integer call() throws Exception {
        TextSliderConfig c = TextSliderConfig.load(config, TextSliderConfig.attributes(attributes));
        if (train.iterations != null) {
            c = c.withIterations(train.iterations);
        }
        try (StableDiffusionModel model = train.open(); ConsoleProgress bar = new ConsoleProgress("train-text")) {
            System.err.println("model: " + model.describe());
            TrainResult r = new TextSliderTrainer(model).train(c, train.out, train.options(bar));
            System.err.println("wrote " + r.slider() + " after " + r.steps() + " steps" + (r.stoppedEarly() ? " (stopped: no visible effect)" : ""));
        }
        return 0;
    }
}
