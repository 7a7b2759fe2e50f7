package org.conceptsliders.sliders.train;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A text slider's settings, read from the paper's YAML files as they are:
 * <ul>
 * <li>a prompts file ({@code prompts.yaml}): a list of {@link PromptSet} entries;</li>
 * <li>a training config ({@code config.yaml}): {@code prompts_file} (resolved against the config's
 * folder, then the working directory) or an inline {@code prompts} list, {@code network}
 * ({@code type}, {@code rank}, {@code alpha}, {@code training_method}), {@code train}
 * ({@code iterations}, {@code lr}, {@code max_denoising_steps}), {@code save.per_steps}, and this
 * project's additions: {@code attributes}, {@code anchors}, {@code anchor_weight}, {@code bipolar}.</li>
 * </ul>
 * Every error (a missing {@code target}, an unknown key or training method, a wrong type) is an
 * {@link IllegalArgumentException} naming the file and the field, raised before any training.
 * Keys that the paper's own files carry but its code ignores ({@code guidance}, {@code rank} in a
 * prompt entry; precision, optimizer and logging settings) are accepted and ignored as there.
 */
public record TextSliderConfig(List<PromptSet> prompts, TrainMethod method, boolean convLayers, int rank, float alpha,
                               int iterations, double learningRate, int maxDenoisingSteps, int saveEvery,
                               List<String> anchors, double anchorWeight, boolean bipolar) {

    private static final Set<String> PROMPT_KEYS = Set.of("target", "positive", "unconditional", "neutral", "action",
            "guidance_scale", "resolution", "dynamic_resolution", "batch_size", "dynamic_crops", "guidance", "rank");
    private static final Set<String> ROOT_KEYS = Set.of("prompts_file", "prompts", "pretrained_model", "network", "train",
            "save", "logging", "other", "attributes", "anchors", "anchor_weight", "bipolar");

    public TextSliderConfig {
        prompts = List.copyOf(prompts);
        anchors = List.copyOf(anchors);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts: the config lists no prompt set");
        }
        if (maxDenoisingSteps < 2) {
            throw new IllegalArgumentException("max_denoising_steps: must be at least 2, got " + maxDenoisingSteps);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations: must be at least 1, got " + iterations);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("lr: must be positive, got " + learningRate);
        }
    }

    /** The paper's defaults around the given prompt sets: noxattn with conv layers, rank 4, alpha 1, lr 2e-4, 1000 iterations, 50 steps. */
    public static TextSliderConfig of(List<PromptSet> prompts) {
        return new TextSliderConfig(prompts, TrainMethod.NOXATTN, true, 4, 1f, 1000, 2e-4, 50, 500, List.of(), 1.0, false);
    }

    /** One prompt set built from three prompts, as the Fiji dialog asks: target, more and less of the concept. */
    public static PromptSet simple(String target, String positive, String unconditional, double eta, int resolution) {
        return new PromptSet(target, positive, unconditional, target, PromptSet.Action.ENHANCE, eta, resolution, false, 1);
    }

    public TextSliderConfig withPrompts(List<PromptSet> p) {
        return new TextSliderConfig(p, method, convLayers, rank, alpha, iterations, learningRate, maxDenoisingSteps,
                saveEvery, anchors, anchorWeight, bipolar);
    }

    public TextSliderConfig withIterations(int n) {
        return new TextSliderConfig(prompts, method, convLayers, rank, alpha, n, learningRate, maxDenoisingSteps,
                saveEvery, anchors, anchorWeight, bipolar);
    }

    public TextSliderConfig withRank(int r) {
        return new TextSliderConfig(prompts, method, convLayers, r, alpha, iterations, learningRate, maxDenoisingSteps,
                saveEvery, anchors, anchorWeight, bipolar);
    }

    public TextSliderConfig withMaxDenoisingSteps(int s) {
        return new TextSliderConfig(prompts, method, convLayers, rank, alpha, iterations, learningRate, s,
                saveEvery, anchors, anchorWeight, bipolar);
    }

    public TextSliderConfig withAnchors(List<String> a, double weight, boolean bip) {
        return new TextSliderConfig(prompts, method, convLayers, rank, alpha, iterations, learningRate, maxDenoisingSteps,
                saveEvery, a, weight, bip);
    }

    public TextSliderConfig withLearningRate(double lr) {
        return new TextSliderConfig(prompts, method, convLayers, rank, alpha, iterations, lr, maxDenoisingSteps,
                saveEvery, anchors, anchorWeight, bipolar);
    }

    /** Reads a prompts file or a training config; {@code attributes} (may be empty) multiply the prompt sets. */
    public static TextSliderConfig load(Path file, List<String> attributes) throws IOException {
        Object root = yaml(file);
        TextSliderConfig c;
        if (root instanceof List<?> list) {
            c = of(prompts(file, list));
        } else if (root instanceof Map<?, ?> map) {
            c = fromConfig(file, map);
        } else {
            throw new IllegalArgumentException(file + ": expected a list of prompt sets or a training config (a mapping)");
        }
        return attributes.isEmpty() ? c : c.withPrompts(expand(c.prompts, attributes));
    }

    /** One copy of every set per attribute, the attribute put before its four prompts (prompt_util.load_prompts_from_yaml). */
    public static List<PromptSet> expand(List<PromptSet> sets, List<String> attributes) {
        List<PromptSet> out = new ArrayList<>();
        for (PromptSet s : sets) {
            for (String a : attributes) {
                out.add(s.withAttribute(a.trim()));
            }
        }
        return out;
    }

    /** "male, female" -> [male, female]. */
    public static List<String> attributes(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.of();
        }
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Object yaml(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    private static TextSliderConfig fromConfig(Path file, Map<?, ?> map) throws IOException {
        unknown(file, "", map, ROOT_KEYS);
        List<PromptSet> prompts;
        if (map.get("prompts") instanceof List<?> inline) {
            prompts = prompts(file, inline);
        } else if (map.containsKey("prompts_file")) {
            Path p = Path.of(string(file, "prompts_file", map.get("prompts_file")));
            Path resolved = p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
            if (!Files.exists(resolved) && Files.exists(p)) {
                resolved = p;
            }
            if (!Files.isReadable(resolved)) {
                throw new IllegalArgumentException(file + ": prompts_file '" + p + "' not found (looked in "
                        + file.toAbsolutePath().getParent() + " and the working directory)");
            }
            if (!(yaml(resolved) instanceof List<?> list)) {
                throw new IllegalArgumentException(resolved + ": a prompts file must be a list of prompt sets");
            }
            prompts = prompts(resolved, list);
        } else {
            throw new IllegalArgumentException(file + ": missing field 'prompts_file' (or an inline 'prompts' list)");
        }
        Map<?, ?> network = section(file, map, "network");
        Map<?, ?> train = section(file, map, "train");
        Map<?, ?> save = section(file, map, "save");
        TrainMethod method = TrainMethod.parse(string(file, "network.training_method",
                network.containsKey("training_method") ? network.get("training_method") : "noxattn"));
        String type = string(file, "network.type", network.containsKey("type") ? network.get("type") : "c3lier");
        if (!type.equals("c3lier") && !type.equals("lierla")) {
            throw new IllegalArgumentException(file + ": network.type '" + type + "' unknown; accepted: c3lier (with conv layers), lierla");
        }
        List<String> attributes = map.get("attributes") instanceof List<?> l
                ? l.stream().map(String::valueOf).toList()
                : attributes(map.containsKey("attributes") ? string(file, "attributes", map.get("attributes")) : null);
        List<String> anchors = map.get("anchors") instanceof List<?> a ? a.stream().map(String::valueOf).toList() : List.of();
        if (map.containsKey("anchors") && !(map.get("anchors") instanceof List<?>)) {
            throw new IllegalArgumentException(file + ": anchors must be a list of prompts");
        }
        TextSliderConfig c = new TextSliderConfig(prompts, method, type.equals("c3lier"),
                (int) number(file, "network.rank", network.get("rank"), 4),
                (float) number(file, "network.alpha", network.get("alpha"), 1.0),
                (int) number(file, "train.iterations", train.get("iterations"), 1000),
                number(file, "train.lr", train.get("lr"), 2e-4),
                (int) number(file, "train.max_denoising_steps", train.get("max_denoising_steps"), 50),
                (int) number(file, "save.per_steps", save.get("per_steps"), 500),
                anchors, number(file, "anchor_weight", map.get("anchor_weight"), 1.0),
                bool(file, "bipolar", map.get("bipolar"), false));
        return attributes.isEmpty() ? c : c.withPrompts(expand(c.prompts, attributes));
    }

    private static Map<?, ?> section(Path file, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a mapping");
        }
        return m;
    }

    static List<PromptSet> prompts(Path file, List<?> list) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException(file + ": prompts file is empty");
        }
        List<PromptSet> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "prompt set " + (i + 1);
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(file + ": " + where + " must be a mapping with 'target', 'positive', ...");
            }
            unknown(file, where + ": ", m, PROMPT_KEYS);
            if (m.get("target") == null) {
                throw new IllegalArgumentException(file + ": " + where + ": missing field 'target'");
            }
            String target = string(file, where + ".target", m.get("target"));
            String positive = m.containsKey("positive") ? string(file, where + ".positive", m.get("positive")) : target;
            String uncond = m.containsKey("unconditional") ? string(file, where + ".unconditional", m.get("unconditional")) : "";
            String neutral = m.containsKey("neutral") ? string(file, where + ".neutral", m.get("neutral")) : uncond;
            String action = m.containsKey("action") ? string(file, where + ".action", m.get("action")) : "erase";
            PromptSet.Action a = switch (action.toLowerCase(Locale.ROOT)) {
                case "enhance" -> PromptSet.Action.ENHANCE;
                case "erase" -> PromptSet.Action.ERASE;
                default -> throw new IllegalArgumentException(file + ": " + where + ".action '" + action
                        + "' unknown; accepted: enhance, erase");
            };
            try {
                out.add(new PromptSet(target, positive, uncond, neutral, a,
                        number(file, where + ".guidance_scale", m.get("guidance_scale"), 1.0),
                        (int) number(file, where + ".resolution", m.get("resolution"), 512),
                        bool(file, where + ".dynamic_resolution", m.get("dynamic_resolution"), false),
                        (int) number(file, where + ".batch_size", m.get("batch_size"), 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + where + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static void unknown(Path file, String where, Map<?, ?> m, Set<String> known) {
        for (Object k : m.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(file + ": " + where + "unknown field '" + k + "'; accepted: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String string(Path file, String key, Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(file + ": " + key + " must be text, got " + v);
        }
        return String.valueOf(v);
    }

    private static double number(Path file, String key, Object v, double dflt) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": " + key + " must be a number, got '" + v + "'");
        }
    }

    private static boolean bool(Path file, String key, Object v, boolean dflt) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(file + ": " + key + " must be true or false, got '" + v + "'");
    }
}
