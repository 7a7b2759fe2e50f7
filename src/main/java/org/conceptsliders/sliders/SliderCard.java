package org.conceptsliders.sliders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.pipeline.ModelKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The card of a slider that ships in the {@code sliders/} folder: a JSON file next to the
 * weights, e.g.
 * <pre>{"name": "age", "concept": "person's age, young to old", "base_model": "sd_v1",
 *  "file": "age_sd1.safetensors", "suggested_scales": [-3, 0, 3], "start_noise": 800}</pre>
 * {@code base_model} uses kohya's {@code ss_base_model_version} spelling
 * ({@code sd_v1}, {@code sd_v2}, {@code sdxl_base_v1-0}).
 *
 * @param file the weights, resolved against the card's folder
 */
public record SliderCard(String name, String concept, ModelKind baseModel, Path file, List<Double> suggestedScales,
                         int startNoise) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SliderCard {
        suggestedScales = List.copyOf(suggestedScales);
    }

    /** Reads one card; every missing or malformed field is an error naming the file and the key. */
    public static SliderCard read(Path card) throws IOException {
        JsonNode root = JSON.readTree(card.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(card + ": a slider card must be a JSON object");
        }
        String name = text(card, root, "name");
        String concept = text(card, root, "concept");
        String base = text(card, root, "base_model");
        ModelKind model = ModelKind.ofKohyaName(base);
        if (model == null) {
            throw new IOException(card + ": base_model '" + base + "' is not one of sd_v1, sd_v2, sdxl_base_v1-0");
        }
        Path file = card.resolveSibling(text(card, root, "file")).normalize();
        if (!file.startsWith(card.toAbsolutePath().getParent()) && !file.startsWith(card.getParent())) {
            throw new IOException(card + ": file '" + root.get("file").asText() + "' lies outside the card's folder");
        }
        JsonNode scales = root.get("suggested_scales");
        List<Double> list = new ArrayList<>();
        if (scales == null || !scales.isArray() || scales.isEmpty()) {
            throw new IOException(card + ": suggested_scales must be a non-empty array of numbers");
        }
        for (JsonNode s : scales) {
            if (!s.isNumber()) {
                throw new IOException(card + ": suggested_scales holds '" + s + "', not a number");
            }
            list.add(s.asDouble());
        }
        JsonNode start = root.get("start_noise");
        int startNoise = model.defaultStartNoise();
        if (start != null) {
            if (!start.canConvertToInt() || start.asInt() < 0 || start.asInt() > 1000) {
                throw new IOException(card + ": start_noise must be an integer in 0..1000, found " + start);
            }
            startNoise = start.asInt();
        }
        return new SliderCard(name, concept, model, file, list, startNoise);
    }

    /** Every {@code *.json} card in {@code folder}, sorted by name. */
    public static List<SliderCard> readAll(Path folder) throws IOException {
        List<SliderCard> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.add(read(p));
            }
        }
        return out;
    }

    /** The spec of this slider at {@code scale} with the card's start_noise. */
    public SliderSpec spec(double scale) {
        return new SliderSpec(file, scale, java.util.OptionalInt.of(startNoise), java.util.OptionalInt.empty());
    }

    private static String text(Path card, JsonNode root, String key) throws IOException {
        JsonNode n = root.get(key);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IOException(card + ": '" + key + "' must be a non-empty string");
        }
        return n.asText();
    }
}
