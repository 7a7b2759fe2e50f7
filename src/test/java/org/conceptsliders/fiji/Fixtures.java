package org.conceptsliders.fiji;

import ij.Prefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Folders of fake sliders and models for the Fiji tests, and the fake model factory. */
final class Fixtures {

    final Path models;
    final Path sliders;
    final List<FakeStudio> opened = new ArrayList<>();
    final FakeTrainer trainer = new FakeTrainer();

    /** Sets up {@code root}/models (with model "tiny") and {@code root}/sliders (with "age", carded, and "smile"). */
    Fixtures(Path root) throws IOException {
        models = Files.createDirectories(root.resolve("models"));
        Files.createDirectories(models.resolve("tiny"));
        Files.writeString(models.resolve("tiny/model_index.json"), "{}");
        sliders = Files.createDirectories(root.resolve("sliders"));
        writeSlider(sliders.resolve("age_slider.safetensors"));
        Files.writeString(sliders.resolve("age_slider.json"),
                "{\"name\": \"age\", \"concept\": \"old age\", \"base_model\": \"sd-1.5\", \"suggested_scales\": [-3, 0, 3], \"start_noise\": 750}");
        writeSlider(sliders.resolve("smile.safetensors"));
        Files.writeString(sliders.resolve("smile.yaml"), "concept: smiling\nsuggested_scales: [-1, 1]\n");
        Prefs.set(Folders.MODELS_KEY, models.toString());
        Prefs.set(Folders.SLIDERS_KEY, sliders.toString());
        StudioFactory fakes = FakeStudio.factory(opened);
        StudioCache.shared().setFactory(new StudioFactory() {
            @Override
            public org.conceptsliders.sliders.Studio open(Path model, String device) {
                return fakes.open(model, device);
            }

            @Override
            public SliderTrainer trainer(Path model, String device) {
                return trainer;
            }
        });
    }

    /** A safetensors file with no tensors: a valid header and nothing else. */
    static void writeSlider(Path file) {
        byte[] header = "{\"__metadata__\":{\"format\":\"pt\"}}      ".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Installs our plugins.config lines into ImageJ 1.x's command table, as ImageJ does for a jar in plugins/. */
    static void installImageJ1Commands() throws IOException {
        if (ij.Menus.getCommands() == null) {
            try {
                ij.IJ.run("Close All"); // the first run builds ImageJ's command table, as in a -batch session
            } catch (java.awt.HeadlessException e) {
                // the table is built before the AWT menu bar, which a headless JVM cannot make
            }
        }
        @SuppressWarnings("unchecked")
        java.util.Hashtable<String, String> table = ij.Menus.getCommands();
        for (String line : Files.readAllLines(Path.of("src/main/resources/plugins.config"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String[] parts = line.split(",");
                table.put(parts[1].trim().replace("\"", ""), parts[2].trim());
            }
        }
    }

    FakeStudio last() {
        return opened.get(opened.size() - 1);
    }
}
