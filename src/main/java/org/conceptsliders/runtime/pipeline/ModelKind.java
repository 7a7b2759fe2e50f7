package org.conceptsliders.runtime.pipeline;

/** The Stable Diffusion families, told apart by what a model folder contains. */
public enum ModelKind {
    SD1("sd_v1", 800),
    SD2("sd_v2", 800),
    SDXL("sdxl_base_v1-0", 700);

    private final String kohyaName;
    private final int defaultStartNoise;

    ModelKind(String kohyaName, int defaultStartNoise) {
        this.kohyaName = kohyaName;
        this.defaultStartNoise = defaultStartNoise;
    }

    /** The value kohya writes into {@code ss_base_model_version}. */
    public String kohyaName() {
        return kohyaName;
    }

    /** The slider start_noise the paper's inference uses for this family. */
    public int defaultStartNoise() {
        return defaultStartNoise;
    }
}
