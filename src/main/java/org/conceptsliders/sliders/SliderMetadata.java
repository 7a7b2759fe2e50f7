package org.conceptsliders.sliders;

/** Metadata keys this project writes into slider files and reads back. */
public final class SliderMetadata {
    public static final String START_NOISE = "conceptsliders.start_noise";
    public static final String TRAIN_METHOD = "conceptsliders.train_method";
    public static final String PROMPTS = "conceptsliders.prompts";
    public static final String SUGGESTED_SCALES = "conceptsliders.suggested_scales";
    public static final String VERSION = "conceptsliders.version";

    private SliderMetadata() {
    }
}
