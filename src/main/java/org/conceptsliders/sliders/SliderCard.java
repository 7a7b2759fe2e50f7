package org.conceptsliders.sliders;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a slider's card says about it: {@code X.json} or {@code X.yaml} next to
 * {@code X.safetensors}, e.g.
 * <pre>{"name": "age", "concept": "a person's age, young (-) to old (+)", "base_model": "sd_v1",
 *  "suggested_scales": [-3, 0, 3], "start_noise": 800}</pre>
 * Every key is optional (a slider without a card is named after its file); other keys, such as
 * {@code file}, are ignored. {@code base_model} is free text, by convention kohya's
 * {@code ss_base_model_version} spelling ({@code sd_v1}, {@code sd_v2}, {@code sdxl_base_v1-0}).
 *
 * @param file the slider's weights
 */
public record SliderCard(Path file, String name, String concept, String baseModel, List<Double> suggestedScales,
                         OptionalInt startNoise) {

    private static final String EXT = ".safetensors";

    public SliderCard {
        suggestedScales = List.copyOf(suggestedScales);
    }

    /** The card of the slider {@code file}: its JSON or YAML card, else defaults from the file name. */
    public static SliderCard of(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String base = dot > 0 ? fileName.substring(0, dot) : fileName;
        Path json = file.resolveSibling(base + ".json");
        Path yaml = file.resolveSibling(base + ".yaml");
        Path card = Files.isRegularFile(json) ? json : Files.isRegularFile(yaml) ? yaml : null;
        if (card == null) {
            return new SliderCard(file, base, "", "", List.of(), OptionalInt.empty());
        }
        Map<?, ?> map;
        try {
            map = read(card);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("slider card " + card + " cannot be read: " + e.getMessage()
                    + ". Fix or remove it.", e);
        }
        return new SliderCard(file, text(map, "name", base), text(map, "concept", ""), text(map, "base_model", ""),
                scales(card, map.get("suggested_scales")), startNoise(card, map.get("start_noise")));
    }

    /** The slider at {@code scale} with the card's start_noise (the file's metadata or the default when none). */
    public SliderSpec spec(double scale) {
        return new SliderSpec(file, scale, startNoise, OptionalInt.empty());
    }

    /** One line for a listing: "age  (age.safetensors; concept: old age; base: sd_v1; scales: -3, 0, 3)". */
    public String describe() {
        StringBuilder sb = new StringBuilder(name);
        sb.append("  (").append(file.getFileName());
        if (!concept.isEmpty()) {
            sb.append("; concept: ").append(concept);
        }
        if (!baseModel.isEmpty()) {
            sb.append("; base: ").append(baseModel);
        }
        if (!suggestedScales.isEmpty()) {
            sb.append("; scales: ").append(String.join(", ", suggestedScales.stream().map(Labels::scale).toList()));
        }
        startNoise.ifPresent(s -> sb.append("; start_noise: ").append(s));
        return sb.append(')').toString();
    }

    static boolean isSliderFile(Path p) {
        return p.getFileName().toString().endsWith(EXT);
    }

    static String withExtension(String name) {
        return name.endsWith(EXT) ? name : name + EXT;
    }

    private static Map<?, ?> read(Path card) throws IOException {
        Object o;
        if (card.getFileName().toString().endsWith(".json")) {
            o = new ObjectMapper().readValue(card.toFile(), Object.class);
        } else {
            try (Reader r = Files.newBufferedReader(card)) {
                o = new Yaml(new LoaderOptions()).load(r);
            }
        }
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw new IOException("a slider card must be a mapping of keys to values");
        }
        return m;
    }

    private static String text(Map<?, ?> map, String key, String dflt) {
        Object v = map.get(key);
        return v == null ? dflt : v.toString();
    }

    private static List<Double> scales(Path card, Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("slider card " + card + ": suggested_scales must be a list of numbers, found " + value);
        }
        List<Double> out = new ArrayList<>();
        for (Object v : list) {
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("slider card " + card + ": suggested_scales holds '" + v + "', not a number");
            }
            out.add(n.doubleValue());
        }
        return out;
    }

    private static OptionalInt startNoise(Path card, Object value) {
        if (value == null) {
            return OptionalInt.empty();
        }
        double d = value instanceof Number n ? n.doubleValue() : Double.NaN;
        if (d != Math.rint(d) || d < 0 || d > 1000) {
            throw new IllegalArgumentException("slider card " + card + ": start_noise must be an integer in 0..1000, found " + value);
        }
        return OptionalInt.of((int) d);
    }
}
