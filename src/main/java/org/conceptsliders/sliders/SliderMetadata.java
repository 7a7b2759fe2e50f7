package org.conceptsliders.sliders;

/** Metadata keys this project writes into slider files and reads back. */
public final class SliderMetadata {
    public static final String START_NOISE = "conceptsliders.start_noise";
    public static final String TRAIN_METHOD = "conceptsliders.train_method";
    public static final String PROMPTS = "conceptsliders.prompts";
    public static final String SUGGESTED_SCALES = "conceptsliders.suggested_scales";
    public static final String VERSION = "conceptsliders.version";
    /** The settings of the run that trained the slider, as JSON. */
    public static final String TRAINING_CONFIG = "conceptsliders.training_config";
    /** Whether conv layers were trained too (the paper's network type c3lier). */
    public static final String CONV_LAYERS = "conceptsliders.conv_layers";

    private SliderMetadata() {
    }
}
