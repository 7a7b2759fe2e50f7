package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;

import java.util.Map;

/**
 * The model families a slider can be made for, with the names that kohya's {@code ss_*} and
 * Stability's {@code modelspec.*} metadata give them and the paper's default {@code start_noise}.
 */
public enum BaseModel {
    SD1("sd_v1", "stable-diffusion-v1/lora", 800, 768),
    SD2("sd_v2", "stable-diffusion-v2-512/lora", 800, 1024),
    SDXL("sdxl_base_v1-0", "stable-diffusion-xl-v1-base/lora", 700, 2048);

    private final String kohyaVersion;
    private final String modelspecArchitecture;
    private final int defaultStartNoise;
    private final int crossAttentionDim;

    BaseModel(String kohyaVersion, String modelspecArchitecture, int defaultStartNoise, int crossAttentionDim) {
        this.kohyaVersion = kohyaVersion;
        this.modelspecArchitecture = modelspecArchitecture;
        this.defaultStartNoise = defaultStartNoise;
        this.crossAttentionDim = crossAttentionDim;
    }

    /** {@code ss_base_model_version}. */
    public String kohyaVersion() {
        return kohyaVersion;
    }

    /** {@code modelspec.architecture}. */
    public String modelspecArchitecture() {
        return modelspecArchitecture;
    }

    /** The paper's inference default: the slider is on once {@code t <= start_noise}. */
    public int defaultStartNoise() {
        return defaultStartNoise;
    }

    /**
     * The family of a UNet from its module tree: SDXL carries the pooled-text/time-id
     * {@code add_embedding}; otherwise SD 2.x cross-attends to 1024-wide states and SD 1.x
     * (and the tiny test models) to anything else.
     */
    public static BaseModel of(Module unet) {
        Map<String, Module> modules = unet.namedModules();
        if (modules.containsKey("add_embedding")) {
            return SDXL;
        }
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            if (e.getKey().endsWith("attn2.to_k") && e.getValue() instanceof Linear l) {
                return l.inFeatures() == SD2.crossAttentionDim ? SD2 : SD1;
            }
        }
        return SD1;
    }

    /** A family name for a cross-attention width, or null if no family uses it. */
    static BaseModel ofCrossAttentionDim(long dim) {
        for (BaseModel b : values()) {
            if (b.crossAttentionDim == dim) {
                return b;
            }
        }
        return null;
    }

    /** The family with this {@code ss_base_model_version}, or null. */
    public static BaseModel ofKohyaVersion(String version) {
        for (BaseModel b : values()) {
            if (b.kohyaVersion.equals(version)) {
                return b;
            }
        }
        return null;
    }
}
