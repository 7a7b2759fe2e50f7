package org.conceptsliders.sliders;

import java.util.List;

/**
 * What to generate: the settings a user chooses in a dialog, a macro or on the command line.
 *
 * @param scheduler "ddim" or "euler"
 * @param sliders   sliders with their scales, composed by adding their deltas
 */
public record GenerateRequest(String prompt, String negative, long seed, int steps, double guidance,
                              int width, int height, String scheduler, List<SliderSpec> sliders) {

    public GenerateRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt: must not be null (use \"\" for none)");
        }
        negative = negative == null ? "" : negative;
        if (steps < 1) {
            throw new IllegalArgumentException("steps: must be at least 1, got " + steps);
        }
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("width/height: must be positive multiples of 8, got " + width + "x" + height);
        }
        if (!scheduler.equals("ddim") && !scheduler.equals("euler")) {
            throw new IllegalArgumentException("scheduler: expected ddim or euler, got '" + scheduler + "'");
        }
        sliders = List.copyOf(sliders);
    }

    public GenerateRequest withSliders(List<SliderSpec> s) {
        return new GenerateRequest(prompt, negative, seed, steps, guidance, width, height, scheduler, s);
    }

    public GenerateRequest withScheduler(String s) {
        return new GenerateRequest(prompt, negative, seed, steps, guidance, width, height, s, sliders);
    }

    public GenerateRequest withSeed(long s) {
        return new GenerateRequest(prompt, negative, s, steps, guidance, width, height, scheduler, sliders);
    }
}
