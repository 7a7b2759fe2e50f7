package org.conceptsliders.runtime.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generated image as packed ARGB ints in row-major order (the layout of ImageJ's
 * ColorProcessor and imglib2's ARGBType planes, so both can wrap the array without copying),
 * with the settings that made it.
 *
 * @param label      short text for a stack slice label ("seed 7 · age 1.5")
 * @param parameters the settings, in order (prompt, negative, seed, steps, ...); written as
 *                   A1111's "parameters" line into PNGs and into a TIFF slice's label
 */
public record RgbImage(int width, int height, int[] argb, String label, Map<String, String> parameters) {

    public RgbImage {
        if (argb.length != width * height) {
            throw new IllegalArgumentException("argb has " + argb.length + " pixels, expected " + width + "x" + height);
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * The settings as the one-line text A1111 writes into a PNG's "parameters" chunk and reads
     * back when a user pastes it: the prompt, then "Negative prompt: ...", then "Key: value, ...".
     */
    public String parametersLine() {
        StringBuilder sb = new StringBuilder();
        sb.append(parameters.getOrDefault("prompt", ""));
        String neg = parameters.get("negative");
        if (neg != null && !neg.isEmpty()) {
            sb.append("\nNegative prompt: ").append(neg);
        }
        StringBuilder rest = new StringBuilder();
        parameters.forEach((k, v) -> {
            if (!k.equals("prompt") && !k.equals("negative")) {
                if (rest.length() > 0) {
                    rest.append(", ");
                }
                rest.append(a1111Key(k)).append(": ").append(v);
            }
        });
        if (rest.length() > 0) {
            sb.append('\n').append(rest);
        }
        return sb.toString();
    }

    private static String a1111Key(String key) {
        return switch (key) {
            case "steps" -> "Steps";
            case "guidance" -> "CFG scale";
            case "seed" -> "Seed";
            case "scheduler" -> "Sampler";
            case "size" -> "Size";
            case "model" -> "Model";
            case "strength" -> "Denoising strength";
            default -> key;
        };
    }
}
