package org.conceptsliders.runtime.pipeline;

import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;

import java.util.Map;

/**
 * The Stable Diffusion families, told apart by what a model folder (or a UNet) contains, with
 * the names that kohya's {@code ss_*} and Stability's {@code modelspec.*} metadata give them and
 * the paper's default slider {@code start_noise}.
 */
public enum ModelKind {
    SD1("sd_v1", "stable-diffusion-v1/lora", 800, 768),
    SD2("sd_v2", "stable-diffusion-v2-512/lora", 800, 1024),
    SDXL("sdxl_base_v1-0", "stable-diffusion-xl-v1-base/lora", 700, 2048);

    private final String kohyaName;
    private final String modelspecArchitecture;
    private final int defaultStartNoise;
    private final int crossAttentionDim;

    ModelKind(String kohyaName, String modelspecArchitecture, int defaultStartNoise, int crossAttentionDim) {
        this.kohyaName = kohyaName;
        this.modelspecArchitecture = modelspecArchitecture;
        this.defaultStartNoise = defaultStartNoise;
        this.crossAttentionDim = crossAttentionDim;
    }

    /** The value kohya writes into {@code ss_base_model_version}. */
    public String kohyaName() {
        return kohyaName;
    }

    /** {@code modelspec.architecture} of a LoRA for this family. */
    public String modelspecArchitecture() {
        return modelspecArchitecture;
    }

    /** The slider start_noise the paper's inference uses for this family: on once {@code t <= start_noise}. */
    public int defaultStartNoise() {
        return defaultStartNoise;
    }

    /**
     * The family of a UNet from its module tree: SDXL carries the pooled-text/time-id
     * {@code add_embedding}; otherwise SD 2.x cross-attends to 1024-wide states and SD 1.x
     * (and the tiny test models) to anything else.
     */
    public static ModelKind of(Module unet) {
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

    /** The family that cross-attends to {@code dim}-wide text states, or null if none does. */
    public static ModelKind ofCrossAttentionDim(long dim) {
        for (ModelKind k : values()) {
            if (k.crossAttentionDim == dim) {
                return k;
            }
        }
        return null;
    }

    /** The family with this {@code ss_base_model_version}, or null. */
    public static ModelKind ofKohyaName(String name) {
        for (ModelKind k : values()) {
            if (k.kohyaName.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
