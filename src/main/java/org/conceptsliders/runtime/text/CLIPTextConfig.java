package org.conceptsliders.runtime.text;

import org.conceptsliders.runtime.config.Config;

import java.util.Arrays;

/**
 * The {@code config.json} of a transformers {@code CLIPTextConfig}; absent keys take the
 * transformers defaults.
 *
 * @param withProjection whether {@code architectures} names {@code CLIPTextModelWithProjection}
 *                       (SDXL's {@code text_encoder_2}), which adds {@code text_projection}
 */
public record CLIPTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                             int numAttentionHeads, int maxPositionEmbeddings, float layerNormEps,
                             HiddenAct hiddenAct, boolean withProjection, int projectionDim) {

    /** {@code hidden_act}, spelled as in the JSON. */
    public enum HiddenAct {
        /** CLIP's x * sigmoid(1.702 x): SD 1.x. */
        QUICK_GELU("quick_gelu"),
        /** Exact erf GELU: OpenCLIP ViT-H / ViT-bigG (SD 2.x, SDXL text_encoder_2). */
        GELU("gelu");

        private final String json;

        HiddenAct(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    public static CLIPTextConfig read(Config c) {
        String act = c.getChoice("hidden_act", "quick_gelu",
                Arrays.stream(HiddenAct.values()).map(HiddenAct::json).toArray(String[]::new));
        boolean projection = c.has("architectures")
                && c.getStrings("architectures").contains("CLIPTextModelWithProjection");
        CLIPTextConfig cfg = new CLIPTextConfig(
                c.getInt("vocab_size", 49408),
                c.getInt("hidden_size", 512),
                c.getInt("intermediate_size", 2048),
                c.getInt("num_hidden_layers", 12),
                c.getInt("num_attention_heads", 8),
                c.getInt("max_position_embeddings", 77),
                (float) c.getDouble("layer_norm_eps", 1e-5),
                Arrays.stream(HiddenAct.values()).filter(a -> a.json().equals(act)).findFirst().orElseThrow(),
                projection,
                c.getInt("projection_dim", 512));
        if (cfg.hiddenSize % cfg.numAttentionHeads != 0) {
            throw c.error("num_attention_heads", cfg.numAttentionHeads + " does not divide hidden_size " + cfg.hiddenSize);
        }
        if (cfg.numHiddenLayers < 1) {
            throw c.error("num_hidden_layers", "must be at least 1, found " + cfg.numHiddenLayers);
        }
        return cfg;
    }
}
