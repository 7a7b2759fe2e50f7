package org.conceptsliders.fiji;

import ij.IJ;
import org.conceptsliders.runtime.pipeline.CancelToken;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.conceptsliders.fiji.Common.DEVICE;
import static org.conceptsliders.fiji.Common.MODEL;
import static org.conceptsliders.fiji.Training.ITERATIONS;
import static org.conceptsliders.fiji.Training.RANK;

/** Train Slider from Prompts...: a text slider from a config file or from three prompts. */
public final class PromptTraining implements Operation<Path> {

    static final Field CONFIG = Field.text("config", "Prompts config file (YAML; empty: the prompts below)", "");
    static final Field TARGET = Field.text("target", "Target prompt", "person");
    static final Field ENHANCE = Field.text("enhance", "More of the concept", "person, old");
    static final Field SUPPRESS = Field.text("suppress", "Less of the concept", "person, young");

    private static final List<Field> FIELDS = Training.with(CONFIG, TARGET, ENHANCE, SUPPRESS);

    @Override
    public String label() {
        return "Train Slider from Prompts...";
    }

    @Override
    public List<Field> fields() {
        return FIELDS;
    }

    @Override
    public Path run(Values v, StudioCache cache) {
        String c = v.text(CONFIG).trim();
        Path config = c.isEmpty() ? null : Path.of(c);
        if (config != null && !Files.isReadable(config)) {
            throw new IllegalArgumentException("config: cannot read " + config + ". Give a prompts YAML file or leave it empty.");
        }
        if (config == null && v.text(TARGET).isBlank()) {
            throw new IllegalArgumentException("target: give the target prompt, or a config file.");
        }
        int iterations = Common.integer(v, ITERATIONS, 1, 1_000_000);
        int rank = Common.integer(v, RANK, 1, 1024);
        Path out = Training.output(v);
        Path model = Folders.model(v.text(MODEL));
        SliderTrainer trainer = cache.trainer(model, Common.choice(v, DEVICE));
        IJ.resetEscape();
        return Training.write(out, v.text(TARGET), model == null ? "embedded" : model.getFileName().toString(),
                part -> trainer.trainFromPrompts(config, v.text(TARGET), v.text(ENHANCE), v.text(SUPPRESS),
                        iterations, rank, part, Common.status("training"), new CancelToken(IJ::escapePressed)));
    }
}
