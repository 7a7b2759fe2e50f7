package org.conceptsliders.fiji;

import org.conceptsliders.runtime.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What both training commands share: the output name, the iterations and rank, and writing the
 * slider so that a failed or cancelled run leaves nothing behind.
 */
final class Training {

    static final Field ITERATIONS = Field.number("iterations", "Iterations", "1000");
    static final Field RANK = Field.number("rank", "LoRA rank", "4");
    static final Field NAME = Field.text("name", "Slider name (file name in the sliders folder)", "my-slider");

    private Training() {
    }

    /** The file the slider {@code name} will be written to; refuses names that exist or are not file names. */
    static Path output(Values v) {
        String name = v.text(NAME).trim();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("name: '" + name + "' is not a plain file name (letters, digits, . _ -).");
        }
        Path out = Folders.sliders().resolve(name + ".safetensors");
        if (Files.exists(out)) {
            throw new IllegalArgumentException("name: a slider '" + name + "' already exists (" + out + "). Choose another name.");
        }
        return out;
    }

    /**
     * Runs {@code train} on a temporary file beside {@code out} and moves it into place only
     * when training returns; the card {@code name.json} is written next to it.
     */
    static Path write(Path out, String concept, String baseModel, Consumer<Path> train) {
        try {
            AtomicFiles.write(out, train::accept);
            String base = out.getFileName().toString().replace(".safetensors", "");
            Files.writeString(out.resolveSibling(base + ".json"), "{\"name\": " + json(base) + ", \"concept\": "
                    + json(concept) + ", \"base_model\": " + json(baseModel) + ", \"suggested_scales\": [-2, -1, 0, 1, 2]}\n");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the slider " + out + ": " + e.getMessage()
                    + ". Check that the sliders folder is writable.", e);
        }
    }

    private static String json(String s) {
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(s).toString();
    }

    static List<Field> with(Field... own) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(Common.MODEL, Common.DEVICE, ITERATIONS, RANK, NAME),
                java.util.Arrays.stream(own)).toList();
    }
}
