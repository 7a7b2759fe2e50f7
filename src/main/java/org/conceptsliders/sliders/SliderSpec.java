package org.conceptsliders.sliders;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * One slider as a user sets it: the file, its scale (any real number, no clamp) and the
 * timestep window in which it is on ({@code t <= startNoise} and {@code t > stopNoise}).
 * An empty start takes the file's metadata, else 800 for SD 1.x and 700 for SDXL.
 */
public record SliderSpec(Path file, double scale, OptionalInt startNoise, OptionalInt stopNoise) {

    public SliderSpec(Path file, double scale) {
        this(file, scale, OptionalInt.empty(), OptionalInt.empty());
    }

    public SliderSpec withScale(double s) {
        return new SliderSpec(file, s, startNoise, stopNoise);
    }

    /**
     * Parses the command-line form {@code FILE:SCALE[:START_NOISE[:STOP_NOISE]]}. The file part
     * may itself contain ':' (Windows drives), so fields are taken from the right.
     */
    public static SliderSpec parse(String text) {
        String[] parts = text.split(":");
        int numeric = 0;
        for (int i = parts.length - 1; i >= 1 && numeric < 3 && isNumber(parts[i]); i--) {
            numeric++;
        }
        if (numeric == 0) {
            throw new IllegalArgumentException("slider '" + text + "': expected FILE:SCALE[:START_NOISE[:STOP_NOISE]]");
        }
        int first = parts.length - numeric;
        String file = String.join(":", java.util.Arrays.copyOfRange(parts, 0, first));
        double scale = Double.parseDouble(parts[first]);
        OptionalInt start = numeric >= 2 ? OptionalInt.of(parseStep(parts[first + 1], text)) : OptionalInt.empty();
        OptionalInt stop = numeric >= 3 ? OptionalInt.of(parseStep(parts[first + 2], text)) : OptionalInt.empty();
        return new SliderSpec(Path.of(file), scale, start, stop);
    }

    private static int parseStep(String s, String text) {
        double v = Double.parseDouble(s);
        if (v != Math.rint(v) || v < 0 || v > 1000) {
            throw new IllegalArgumentException("slider '" + text + "': noise step '" + s + "' must be an integer in 0..1000");
        }
        return (int) v;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
