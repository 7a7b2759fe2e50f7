package org.conceptsliders.shapes;

/**
 * The attributes of a {@link ShapeScene} that captions never mention: a text prompt cannot ask
 * for them, so a slider for them is learnt from image pairs that differ only in them
 * ({@link ShapesWorld#pair}), as the Concept Sliders paper's visual sliders are (Sec. 3.4).
 * Values are fractions of the image's shorter side.
 */
public enum VisualAttribute {
    /** Thickness of the contrasting ring inside the shape's edge; "plain" to "outline". */
    OUTLINE(0.05, "plain", "outline"),
    /** Sigma of the Gaussian blur of the picture; "sharp" to "blurry". */
    BLUR(0.025, "sharp", "blurry");

    private final double max;
    private final String lowWord;
    private final String highWord;

    VisualAttribute(double max, String lowWord, String highWord) {
        this.max = max;
        this.lowWord = lowWord;
        this.highWord = highWord;
    }

    /**
     * The top of the attribute's range (3.2 px outline, 1.6 px blur at 64 px): random scenes
     * stay below it, pairs may take it as their high end.
     */
    public double max() {
        return max;
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
