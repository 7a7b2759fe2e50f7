package org.conceptsliders.runtime.unet;

import com.fasterxml.jackson.databind.JsonNode;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.config.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code config.json} of a diffusers {@code UNet2DConditionModel} (0.20), restricted to what
 * Stable Diffusion 1.x/2.x and SDXL use. Every value outside that subset is rejected with a
 * {@link ConfigException} naming the key; per-block values are resolved to one entry per down
 * block, in down-block order.
 *
 * <p>Keys read only by block types this runtime does not build ({@code resnet_skip_time_act},
 * {@code resnet_out_scale_factor}, {@code cross_attention_norm},
 * {@code mid_block_only_cross_attention}, {@code addition_embed_type_num_heads},
 * {@code class_embeddings_concat}) change nothing for the supported blocks, as in diffusers, and
 * are not read.
 */
public final class UNetConfig {

    /** Down block classes, spelled as in {@code down_block_types}. */
    public enum DownBlockType { CrossAttnDownBlock2D, DownBlock2D }

    /** Up block classes, spelled as in {@code up_block_types}. */
    public enum UpBlockType { CrossAttnUpBlock2D, UpBlock2D }

    private final Path file;
    private final int inChannels;
    private final int outChannels;
    private final boolean centerInputSample;
    private final boolean flipSinToCos;
    private final int freqShift;
    private final List<DownBlockType> downBlockTypes;
    private final List<UpBlockType> upBlockTypes;
    private final int[] blockOutChannels;
    private final int[] layersPerBlock;
    private final boolean[] onlyCrossAttention;
    private final int[] crossAttentionDim;
    private final int[] transformerLayersPerBlock;
    private final int[] attentionHeads;
    private final int downsamplePadding;
    private final float midBlockScaleFactor;
    private final int normNumGroups;
    private final float normEps;
    private final boolean useLinearProjection;
    private final boolean upcastAttention;
    private final int timeEmbedDim;
    private final boolean textTimeEmbedding;
    private final int additionTimeEmbedDim;
    private final int projectionClassEmbeddingsInputDim;
    private final int convInKernel;
    private final int convOutKernel;

    private UNetConfig(Config c) {
        this.file = c.file();
        requireNull(c, "class_embed_type");
        requireNull(c, "num_class_embeds");
        requireNull(c, "time_cond_proj_dim");
        // diffusers 0.20 turns a bare encoder_hid_dim into encoder_hid_dim_type "text_proj".
        requireNull(c, "encoder_hid_dim");
        requireNull(c, "encoder_hid_dim_type");
        requireNull(c, "time_embedding_act_fn");
        requireNull(c, "timestep_post_act");
        requireNull(c, "reverse_transformer_layers_per_block");
        requireFalse(c, "dual_cross_attention");
        c.getChoice("act_fn", "silu", "silu");
        c.getChoice("time_embedding_type", "positional", "positional");
        c.getChoice("resnet_time_scale_shift", "default", "default");
        c.getChoice("attention_type", "default", "default");
        requireNonNull(c, "mid_block_type", "UNetMidBlock2DCrossAttn");
        c.getChoice("mid_block_type", "UNetMidBlock2DCrossAttn", "UNetMidBlock2DCrossAttn");

        this.inChannels = c.getInt("in_channels", 4);
        this.outChannels = c.getInt("out_channels", 4);
        this.centerInputSample = c.getBoolean("center_input_sample", false);
        this.flipSinToCos = c.getBoolean("flip_sin_to_cos", true);
        this.freqShift = c.getInt("freq_shift", 0);
        this.downBlockTypes = blockTypes(c, "down_block_types", DownBlockType.class,
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        this.upBlockTypes = blockTypes(c, "up_block_types", UpBlockType.class,
                List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        int n = downBlockTypes.size();
        if (upBlockTypes.size() != n) {
            throw c.error("up_block_types", "has " + upBlockTypes.size() + " entries, down_block_types has " + n);
        }
        this.blockOutChannels = c.getInts("block_out_channels", new int[] {320, 640, 1280, 1280});
        if (blockOutChannels.length != n) {
            throw c.error("block_out_channels", "has " + blockOutChannels.length + " entries, expected " + n + " (one per block)");
        }
        this.layersPerBlock = c.getIntOrInts("layers_per_block", 2, n);
        this.onlyCrossAttention = boolOrBools(c, "only_cross_attention", false, n);
        this.crossAttentionDim = c.getIntOrInts("cross_attention_dim", 1280, n);
        this.transformerLayersPerBlock = c.getIntOrInts("transformer_layers_per_block", 1, n);
        this.attentionHeads = resolveAttentionHeads(c, blockOutChannels);
        this.downsamplePadding = c.getInt("downsample_padding", 1);
        this.midBlockScaleFactor = (float) c.getDouble("mid_block_scale_factor", 1.0);
        requireNonNull(c, "norm_num_groups", "an integer");
        this.normNumGroups = c.getInt("norm_num_groups", 32);
        this.normEps = (float) c.getDouble("norm_eps", 1e-5);
        this.useLinearProjection = c.getBoolean("use_linear_projection", false);
        this.upcastAttention = c.getBoolean("upcast_attention", false);
        this.timeEmbedDim = c.getInt("time_embedding_dim", blockOutChannels[0] * 4);
        this.textTimeEmbedding = "text_time".equals(c.getChoice("addition_embed_type", null, "text_time"));
        this.additionTimeEmbedDim = textTimeEmbedding ? c.getInt("addition_time_embed_dim") : 0;
        this.projectionClassEmbeddingsInputDim = textTimeEmbedding ? c.getInt("projection_class_embeddings_input_dim") : 0;
        this.convInKernel = oddKernel(c, "conv_in_kernel");
        this.convOutKernel = oddKernel(c, "conv_out_kernel");
        for (int i = 0; i < n; i++) {
            if (blockOutChannels[i] % normNumGroups != 0) {
                throw c.error("norm_num_groups", normNumGroups + " does not divide block_out_channels[" + i + "] = " + blockOutChannels[i]);
            }
        }
    }

    public static UNetConfig read(Path file) throws IOException {
        return new UNetConfig(Config.read(file));
    }

    /**
     * The head count of each block's attention. diffusers 0.20 names it {@code attention_head_dim}
     * for historical reasons: {@code num_attention_heads = num_attention_heads or attention_head_dim},
     * and each block then uses {@code channels / heads} channels per head. SD 1.x configs say
     * {@code attention_head_dim: 8} and mean 8 heads; SD 2.x/SDXL give a per-block list of head
     * counts. Later diffusers versions accept {@code num_attention_heads} itself, which then wins.
     */
    private static int[] resolveAttentionHeads(Config c, int[] channels) {
        String key = c.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
        int[] heads = c.getIntOrInts(key, 8, channels.length);
        for (int i = 0; i < channels.length; i++) {
            if (heads[i] <= 0 || channels[i] % heads[i] != 0) {
                throw c.error(key, "head count " + heads[i] + " of block " + i + " does not divide its "
                        + channels[i] + " channels");
            }
        }
        return heads;
    }

    private static <E extends Enum<E>> List<E> blockTypes(Config c, String key, Class<E> type, List<String> dflt) {
        List<String> names = c.has(key) ? c.getStrings(key) : dflt;
        return names.stream().map(s -> {
            try {
                return Enum.valueOf(type, s);
            } catch (IllegalArgumentException e) {
                throw c.error(key, "unsupported block type \"" + s + "\" (supported: " + Arrays.toString(type.getEnumConstants()) + ")");
            }
        }).toList();
    }

    private static boolean[] boolOrBools(Config c, String key, boolean dflt, int n) {
        boolean[] out = new boolean[n];
        JsonNode node = c.json().get(key);
        if (node == null || node.isNull() || node.isBoolean()) {
            Arrays.fill(out, c.getBoolean(key, dflt));
            return out;
        }
        if (!node.isArray() || node.size() != n) {
            throw c.error(key, "expected true, false or a list of " + n + " booleans, found " + node);
        }
        for (int i = 0; i < n; i++) {
            if (!node.get(i).isBoolean()) {
                throw c.error(key, "expected a list of booleans, found " + node);
            }
            out[i] = node.get(i).asBoolean();
        }
        return out;
    }

    private static int oddKernel(Config c, String key) {
        int k = c.getInt(key, 3);
        if (k <= 0 || k % 2 == 0) {
            throw c.error(key, "unsupported value " + k + " (supported: odd kernel sizes)");
        }
        return k;
    }

    private static void requireNull(Config c, String key) {
        if (c.has(key)) {
            throw c.error(key, "unsupported value " + c.json().get(key) + " (supported: null)");
        }
    }

    private static void requireFalse(Config c, String key) {
        if (c.getBoolean(key, false)) {
            throw c.error(key, "unsupported value true (supported: false)");
        }
    }

    /** For keys whose explicit null means something (no mid block, no norm) that is not supported. */
    private static void requireNonNull(Config c, String key, String accepted) {
        JsonNode node = c.json().get(key);
        if (node != null && node.isNull()) {
            throw c.error(key, "unsupported value null (supported: " + accepted + ")");
        }
    }

    public Path file() {
        return file;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public boolean centerInputSample() {
        return centerInputSample;
    }

    public boolean flipSinToCos() {
        return flipSinToCos;
    }

    public int freqShift() {
        return freqShift;
    }

    public int blockCount() {
        return downBlockTypes.size();
    }

    public List<DownBlockType> downBlockTypes() {
        return downBlockTypes;
    }

    public List<UpBlockType> upBlockTypes() {
        return upBlockTypes;
    }

    /** Output channels of down block {@code i}. */
    public int blockOutChannels(int i) {
        return blockOutChannels[i];
    }

    /** Resnets of down block {@code i} (its mirrored up block has one more). */
    public int layersPerBlock(int i) {
        return layersPerBlock[i];
    }

    public boolean onlyCrossAttention(int i) {
        return onlyCrossAttention[i];
    }

    public int crossAttentionDim(int i) {
        return crossAttentionDim[i];
    }

    public int transformerLayersPerBlock(int i) {
        return transformerLayersPerBlock[i];
    }

    /** Attention heads of block {@code i}: see {@link #resolveAttentionHeads}. */
    public int attentionHeads(int i) {
        return attentionHeads[i];
    }

    public int downsamplePadding() {
        return downsamplePadding;
    }

    public float midBlockScaleFactor() {
        return midBlockScaleFactor;
    }

    public int normNumGroups() {
        return normNumGroups;
    }

    public float normEps() {
        return normEps;
    }

    public boolean useLinearProjection() {
        return useLinearProjection;
    }

    public boolean upcastAttention() {
        return upcastAttention;
    }

    public int timeEmbedDim() {
        return timeEmbedDim;
    }

    /** SDXL's {@code addition_embed_type: "text_time"}: pooled text and time ids join the time embedding. */
    public boolean textTimeEmbedding() {
        return textTimeEmbedding;
    }

    public int additionTimeEmbedDim() {
        return additionTimeEmbedDim;
    }

    public int projectionClassEmbeddingsInputDim() {
        return projectionClassEmbeddingsInputDim;
    }

    public int convInKernel() {
        return convInKernel;
    }

    public int convOutKernel() {
        return convOutKernel;
    }
}
