package org.conceptsliders.fiji;

import org.conceptsliders.sliders.SliderLibrary;

import ij.IJ;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Models and Sliders...: sets the models and sliders folders (empty keeps the current one) and
 * lists what they hold, each slider with its card, in the Log window.
 */
public final class Library implements Operation<String> {

    static final Field MODELS = Field.text("models", "Models folder (empty: keep)", "");
    static final Field SLIDERS = Field.text("sliders", "Sliders folder (empty: keep)", "");

    private static final List<Field> FIELDS = List.of(MODELS, SLIDERS);

    @Override
    public String label() {
        return "Models and Sliders...";
    }

    @Override
    public List<Field> fields() {
        return FIELDS;
    }

    @Override
    public String run(Values v, StudioCache cache) {
        Path models = folder(v, MODELS, Folders.models());
        Path sliders = folder(v, SLIDERS, Folders.sliders());
        Folders.set(models, sliders);
        List<String> lines = new ArrayList<>();
        lines.add("Models in " + models + ":" + (Files.isDirectory(models) ? "" : " (folder does not exist)"));
        if (Files.isDirectory(models)) {
            try (Stream<Path> dirs = Files.list(models)) {
                dirs.filter(Files::isDirectory).sorted().forEach(d -> lines.add("  " + d.getFileName()
                        + (Files.exists(d.resolve("model_index.json")) ? "" : "  (no model_index.json)")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + models + ": " + e.getMessage(), e);
            }
        }
        lines.add("  (empty model: the embedded default model)");
        lines.add("Sliders in " + sliders + ":" + (Files.isDirectory(sliders) ? "" : " (folder does not exist)"));
        new SliderLibrary(sliders).list().forEach(c -> lines.add("  " + c.describe()));
        String text = String.join("\n", lines);
        lines.forEach(IJ::log);
        return text;
    }

    private static Path folder(Values v, Field f, Path current) {
        String t = v.text(f).trim();
        if (t.isEmpty()) {
            return current;
        }
        Path p = Path.of(t);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(f.key() + ": no such folder: " + p + ". Create it first or choose another.");
        }
        return p.toAbsolutePath().normalize();
    }
}
