package org.conceptsliders.fiji;

import ij.Prefs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where models and sliders live: two folders kept in ImageJ's preferences (IJ_Prefs.txt), so
 * that Fiji's commands and plain ImageJ 1.x see the same, and the resolution of the
 * {@code model} and {@code slider} macro values against them.
 */
public final class Folders {

    static final String MODELS_KEY = "conceptsliders.models";
    static final String SLIDERS_KEY = "conceptsliders.sliders";

    private Folders() {
    }

    public static Path models() {
        return Path.of(Prefs.get(MODELS_KEY, defaultFolder("models")));
    }

    public static Path sliders() {
        return Path.of(Prefs.get(SLIDERS_KEY, defaultFolder("sliders")));
    }

    public static void set(Path models, Path sliders) {
        Prefs.set(MODELS_KEY, models.toString());
        Prefs.set(SLIDERS_KEY, sliders.toString());
    }

    private static String defaultFolder(String name) {
        return Path.of(System.getProperty("user.home"), "ConceptSliders", name).toString();
    }

    /**
     * The model folder a user named: empty is the embedded default model (null); else a folder
     * path, or the name of a folder inside {@link #models()}.
     */
    public static Path model(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            return null;
        }
        Path p = Path.of(t);
        if (Files.isDirectory(p)) {
            return p;
        }
        Path named = models().resolve(t);
        if (!p.isAbsolute() && Files.isDirectory(named)) {
            return named;
        }
        throw new IllegalArgumentException("model '" + t + "': no such folder, and no model of that name in "
                + models() + ". Give a diffusers model folder, a name set in Plugins>Concept Sliders>"
                + "Models and Sliders..., or leave it empty for the embedded model.");
    }
}
