package org.conceptsliders.shapes;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The attributes of a {@link ShapeScene} that captions never mention: a text prompt cannot ask
 * for them, so a slider for them is learnt from image pairs that differ only in them
 * ({@link ShapesWorld#pair}), as the Concept Sliders paper's visual sliders are (Sec. 3.4).
 * Lengths are fractions of the image's shorter side, the position of its width, the gradient of
 * the grey scale.
 */
public enum VisualAttribute {
    /**
     * Thickness of the contrasting ring inside the shape's edge; "plain" to "outline". Near the
     * limit of the embedded model's VAE (8 pixels per latent): its encoder keeps the ring, its
     * tuned decoder draws it faintly, on large shapes (docs/embedded-model.md).
     */
    OUTLINE(0, 0.05, "plain", "outline"),
    /** Sigma of the Gaussian blur of the picture; "sharp" to "blurry". */
    BLUR(0, 0.025, "sharp", "blurry"),
    /** Horizontal position of the shape's centre; "left" to "right". */
    POSITION(0.3, 0.7, "left", "right"),
    /**
     * Shading of the background ({@link ShapeScene#gradient()}), a grey-level change at the top
     * (-) or the bottom (+) edge; "top" to "bottom". Spread over the whole picture, it is what an
     * 8-pixels-per-latent VAE keeps best, and it leaves the shape alone.
     */
    GRADIENT(-0.2, 0.2, "top", "bottom");

    private final double low;
    private final double high;
    private final String lowWord;
    private final String highWord;

    VisualAttribute(double low, double high, String lowWord, String highWord) {
        this.low = low;
        this.high = high;
        this.lowWord = lowWord;
        this.highWord = highWord;
    }

    /** The attribute of a lower-case name such as "outline", or an error that lists the names. */
    public static VisualAttribute parse(String name) {
        for (VisualAttribute a : values()) {
            if (a.name().equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("attribute '" + name + "': expected one of "
                + Arrays.stream(values()).map(a -> a.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    /** The low end of a drawn pair. */
    public double low() {
        return low;
    }

    /**
     * The high end of a drawn pair (3.2 px outline, 1.6 px blur at 64 px); random scenes keep
     * outline and blur below it. Every shape fits the image at either position.
     */
    public double high() {
        return high;
    }

    /** A CLIP-vocabulary word for the low end, e.g. to name a slider. */
    public String lowWord() {
        return lowWord;
    }

    /** A CLIP-vocabulary word for the high end. */
    public String highWord() {
        return highWord;
    }
}
