package org.conceptsliders.sliders;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one label format of every image this project makes, in the CLI's TIFF stacks and in the
 * editor's slice labels: the sliders with their scales, the seed, the prompt, e.g.
 * {@code "age 1.5, smile -1 | seed 42 | a photo of a person"} (no sliders: {@code "seed 42 | ..."}).
 */
public final class Labels {
    private Labels() {
    }

    /** A slider's name: its card's {@code name}, else its file name without extension. */
    public static String name(SliderSpec s) {
        return SliderCard.of(s.file()).name();
    }

    /** A scale as users type it: "1.5", "-2", "0". */
    public static String scale(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** "age 1.5, smile -1" */
    public static String sliders(List<SliderSpec> sliders) {
        return sliders.stream().map(s -> name(s) + " " + scale(s.scale())).collect(Collectors.joining(", "));
    }

    /** The label of a generation showing {@code shown} of its sliders (a sweep shows the swept ones). */
    public static String of(List<SliderSpec> shown, GenerateRequest r) {
        return join(sliders(shown), "seed " + r.seed(), r.prompt());
    }

    /** The label of an edit of a real image: no seed, as none is drawn. */
    public static String edit(List<SliderSpec> shown, GenerateRequest r) {
        return join(sliders(shown), r.prompt());
    }

    private static String join(String... parts) {
        return java.util.Arrays.stream(parts).filter(p -> !p.isEmpty()).collect(Collectors.joining(" | "));
    }
}
