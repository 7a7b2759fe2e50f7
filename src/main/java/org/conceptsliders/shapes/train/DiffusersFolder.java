package org.conceptsliders.shapes.train;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.WeightWriter;
import org.conceptsliders.runtime.schedulers.SchedulerConfig;
import org.conceptsliders.runtime.schedulers.SchedulerConfig.BetaSchedule;
import org.conceptsliders.runtime.schedulers.SchedulerConfig.PredictionType;
import org.conceptsliders.runtime.schedulers.SchedulerConfig.TimestepSpacing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;

/**
 * The files of a diffusers {@code StableDiffusionPipeline} folder for a {@link BaseModelRecipe}:
 * the same file names, weight names and config keys as diffusers 0.20 and transformers write,
 * so that diffusers itself would load the folder.
 */
final class DiffusersFolder {
    static final String DIFFUSERS_VERSION = "0.20.0";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String TOKENIZER_RESOURCES = "/org/conceptsliders/shapes/train/tokenizer/";
    private static final String[] TOKENIZER_FILES = {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"};

    /**
     * Stable Diffusion's noise schedule (1000 steps, "scaled_linear" betas 0.00085 to 0.012):
     * the forward diffusion the UNet is trained on, and the DDIM scheduler the folder ships, as
     * SD 1.x ships it (leading spacing, offset 1, no clipping).
     */
    static final SchedulerConfig SCHEDULE = new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR,
            PredictionType.EPSILON, TimestepSpacing.LEADING, 1, false, false, 1.0);

    private DiffusersFolder() {
    }

    static ObjectNode vaeConfig(BaseModelRecipe r, double scalingFactor) {
        ObjectNode c = diffusersHeader("AutoencoderKL");
        c.put("act_fn", "silu");
        ints(c.putArray("block_out_channels"), r.vaeChannels());
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        for (int i = 0; i < r.vaeChannels().length; i++) {
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        c.put("in_channels", 3);
        c.put("latent_channels", r.latentChannels());
        c.put("layers_per_block", r.vaeLayersPerBlock());
        c.put("norm_num_groups", r.vaeNormGroups());
        c.put("out_channels", 3);
        c.put("sample_size", r.imageSize());
        c.put("scaling_factor", scalingFactor);
        c.put("force_upcast", false);
        return c;
    }

    /** SD 1.x's block layout: cross-attention at every level but the deepest. */
    static ObjectNode unetConfig(BaseModelRecipe r) {
        ObjectNode c = diffusersHeader("UNet2DConditionModel");
        c.put("act_fn", "silu");
        c.put("attention_head_dim", r.unetHeads());
        ints(c.putArray("block_out_channels"), r.unetChannels());
        c.put("center_input_sample", false);
        c.put("cross_attention_dim", r.textWidth());
        ArrayNode down = c.putArray("down_block_types");
        ArrayNode up = c.putArray("up_block_types");
        int n = r.unetChannels().length;
        for (int i = 0; i < n; i++) {
            down.add(i < n - 1 ? "CrossAttnDownBlock2D" : "DownBlock2D");
            up.add(i == 0 ? "UpBlock2D" : "CrossAttnUpBlock2D");
        }
        c.put("downsample_padding", 1);
        c.put("dual_cross_attention", false);
        c.put("flip_sin_to_cos", true);
        c.put("freq_shift", 0);
        c.put("in_channels", r.latentChannels());
        c.put("layers_per_block", r.unetLayersPerBlock());
        c.put("mid_block_scale_factor", 1);
        c.put("norm_eps", 1e-5);
        c.put("norm_num_groups", r.unetNormGroups());
        c.put("only_cross_attention", false);
        c.put("out_channels", r.latentChannels());
        c.put("resnet_time_scale_shift", "default");
        c.put("sample_size", r.latentSize());
        c.put("upcast_attention", false);
        c.put("use_linear_projection", false);
        return c;
    }

    /** transformers {@code CLIPTextConfig} with CLIP's vocabulary and context length. */
    static ObjectNode textEncoderConfig(BaseModelRecipe r) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("CLIPTextModel");
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", 49406);
        c.put("dropout", 0.0);
        c.put("eos_token_id", 49407);
        c.put("hidden_act", "quick_gelu");
        c.put("hidden_size", r.textWidth());
        c.put("initializer_factor", 1.0);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", 4 * r.textWidth());
        c.put("layer_norm_eps", 1e-5);
        c.put("max_position_embeddings", 77);
        c.put("model_type", "clip_text_model");
        c.put("num_attention_heads", r.textHeads());
        c.put("num_hidden_layers", r.textLayers());
        c.put("pad_token_id", 1);
        c.put("projection_dim", r.textWidth());
        c.put("torch_dtype", "float16");
        c.put("transformers_version", "4.31.0");
        c.put("vocab_size", 49408);
        return c;
    }

    /** {@link #SCHEDULE} as a DDIM scheduler config. */
    static ObjectNode schedulerConfig() {
        ObjectNode c = diffusersHeader("DDIMScheduler");
        c.put("beta_end", SCHEDULE.betaEnd());
        c.put("beta_schedule", SCHEDULE.betaSchedule().id());
        c.put("beta_start", SCHEDULE.betaStart());
        c.put("clip_sample", SCHEDULE.clipSample());
        c.put("num_train_timesteps", SCHEDULE.numTrainTimesteps());
        c.put("prediction_type", SCHEDULE.predictionType().id());
        c.put("set_alpha_to_one", SCHEDULE.setAlphaToOne());
        c.put("steps_offset", SCHEDULE.stepsOffset());
        c.put("timestep_spacing", SCHEDULE.timestepSpacing().id());
        return c;
    }

    static ObjectNode modelIndex() {
        ObjectNode c = diffusersHeader("StableDiffusionPipeline");
        c.putArray("feature_extractor").addNull().addNull();
        c.put("requires_safety_checker", false);
        c.putArray("safety_checker").addNull().addNull();
        c.putArray("scheduler").add("diffusers").add("DDIMScheduler");
        c.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        c.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        c.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        c.putArray("vae").add("diffusers").add("AutoencoderKL");
        return c;
    }

    private static ObjectNode diffusersHeader(String className) {
        ObjectNode c = JSON.createObjectNode();
        c.put("_class_name", className);
        c.put("_diffusers_version", DIFFUSERS_VERSION);
        return c;
    }

    private static void ints(ArrayNode a, int[] values) {
        for (int v : values) {
            a.add(v);
        }
    }

    static Path writeJson(Path file, ObjectNode json) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), json);
        return file;
    }

    /**
     * Writes {@code module}'s weights under their checkpoint names as {@code dtype}, then its
     * config: a folder with a config has complete weights.
     */
    static void writeComponent(Path dir, String weightsFile, ObjectNode config, Module module, DataType dtype)
            throws IOException {
        Files.createDirectories(dir);
        WeightWriter.write(module, dir.resolve(weightsFile), dtype, Collections.singletonMap("format", "pt"));
        writeJson(dir.resolve("config.json"), config);
    }

    /** CLIP's vocabulary and merges (openai/clip-vit-large-patch14's) with SD 1.x's tokenizer settings. */
    static void writeTokenizer(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : TOKENIZER_FILES) {
            try (InputStream in = DiffusersFolder.class.getResourceAsStream(TOKENIZER_RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("resource " + TOKENIZER_RESOURCES + name + " is missing from the class path");
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
