package org.conceptsliders.sliders;

import org.conceptsliders.runtime.io.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The sliders in one folder, with their cards, and the resolution of a slider's name or file. */
public final class SliderLibrary {

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
            for (Path f : files.filter(SliderCard::isSliderFile).sorted().toList()) {
                cards.add(SliderCard.of(f));
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
        Path byFile = folder.resolve(SliderCard.withExtension(t));
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
                + ")");
    }
}
