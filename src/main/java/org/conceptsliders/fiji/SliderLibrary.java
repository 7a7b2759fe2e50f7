package org.conceptsliders.fiji;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.SafeTensors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/** The sliders in one folder, with their cards, and the resolution of a slider's name or file. */
public final class SliderLibrary {

    private static final String EXT = ".safetensors";

    private final Path folder;

    public SliderLibrary(Path folder) {
        this.folder = folder;
    }

    public Path folder() {
        return folder;
    }

    /** Every {@code *.safetensors} in the folder, by file name; empty when the folder is missing. */
    public List<SliderCard> list() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<SliderCard> cards = new ArrayList<>();
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(EXT)).sorted().toList()) {
                cards.add(card(f));
            }
            return cards;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list sliders folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * The slider file a user named: a path to a {@code .safetensors} file, the file name without
     * extension of one in the folder, or a card's {@code name}. The file's header is checked, so
     * that a broken file is reported before any model is loaded.
     */
    public Path resolve(String nameOrFile) {
        String t = nameOrFile.trim();
        Path file = find(t);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("slider '" + t + "': cannot read " + file + ". Check the file's permissions.");
        }
        try (SafeTensors ignored = SafeTensors.open(file)) {
            return file;
        } catch (IOException e) {
            throw new IllegalArgumentException("slider '" + t + "': " + file + " is not a readable safetensors file ("
                    + e.getMessage() + "). Replace it with the original download.", e);
        }
    }

    private Path find(String t) {
        Path p = Path.of(t);
        if (Files.isRegularFile(p)) {
            return p;
        }
        Path byFile = folder.resolve(t.endsWith(EXT) ? t : t + EXT);
        if (!p.isAbsolute() && Files.isRegularFile(byFile)) {
            return byFile;
        }
        List<SliderCard> cards = list();
        for (SliderCard c : cards) {
            if (c.name().equalsIgnoreCase(t)) {
                return c.file();
            }
        }
        throw new IllegalArgumentException("slider '" + t + "': no such file, and no slider of that name in " + folder
                + " (there: " + (cards.isEmpty() ? "none" : String.join(", ", cards.stream().map(SliderCard::name).toList()))
                + "). Set the sliders folder in Plugins>Concept Sliders>Models and Sliders...");
    }

    /** The card of {@code file}: its JSON or YAML file, else defaults from the file name. */
    public static SliderCard card(Path file) {
        String base = file.getFileName().toString();
        base = base.endsWith(EXT) ? base.substring(0, base.length() - EXT.length()) : base;
        Map<?, ?> map = Map.of();
        Path json = file.resolveSibling(base + ".json");
        Path yaml = file.resolveSibling(base + ".yaml");
        try {
            if (Files.isRegularFile(json)) {
                map = new ObjectMapper().readValue(json.toFile(), Map.class);
            } else if (Files.isRegularFile(yaml)) {
                try (Reader r = Files.newBufferedReader(yaml)) {
                    Object o = new Yaml(new LoaderOptions()).load(r);
                    map = o instanceof Map<?, ?> m ? m : Map.of();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("slider card of " + file + " cannot be read: " + e.getMessage()
                    + ". Fix or remove " + (Files.isRegularFile(json) ? json : yaml) + ".", e);
        }
        Object scales = map.get("suggested_scales");
        double[] s = scales instanceof List<?> l ? l.stream().mapToDouble(v -> Double.parseDouble(v.toString())).toArray()
                : new double[0];
        Object start = map.get("start_noise");
        return new SliderCard(file, text(map, "name", base), text(map, "concept", ""), text(map, "base_model", ""), s,
                start == null ? OptionalInt.empty() : OptionalInt.of((int) Values.integer("start_noise", start.toString())));
    }

    private static String text(Map<?, ?> map, String key, String dflt) {
        Object v = map.get(key);
        return v == null ? dflt : v.toString();
    }
}
