package org.conceptsliders.runtime.vae;

import org.conceptsliders.runtime.config.Config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code config.json} of a diffusers {@code AutoencoderKL} (0.20) with SiLU and
 * DownEncoderBlock2D / UpDecoderBlock2D blocks; any other value is a ConfigException naming its key.
 * {@code force_upcast} is advice to pipelines running in half precision and is not read here.
 */
public final class AutoencoderKLConfig {
    private final Path file;
    private final int inChannels;
    private final int outChannels;
    private final int latentChannels;
    private final int[] blockOutChannels;
    private final int layersPerBlock;
    private final int normNumGroups;
    private final float scalingFactor;

    private AutoencoderKLConfig(Config c) {
        this.file = c.file();
        c.getChoice("act_fn", "silu", "silu");
        this.blockOutChannels = c.getInts("block_out_channels", new int[] {64});
        requireAll(c, "down_block_types", "DownEncoderBlock2D", blockOutChannels.length);
        requireAll(c, "up_block_types", "UpDecoderBlock2D", blockOutChannels.length);
        // Keys of later diffusers versions: only their 0.20 behaviour is supported.
        if (!c.getBoolean("mid_block_add_attention", true)) {
            throw c.error("mid_block_add_attention", "unsupported value false (supported: true)");
        }
        if (!c.getBoolean("use_quant_conv", true)) {
            throw c.error("use_quant_conv", "unsupported value false (supported: true)");
        }
        if (!c.getBoolean("use_post_quant_conv", true)) {
            throw c.error("use_post_quant_conv", "unsupported value false (supported: true)");
        }
        if (c.has("shift_factor")) {
            throw c.error("shift_factor", "unsupported value " + c.json().get("shift_factor") + " (supported: null)");
        }
        this.inChannels = c.getInt("in_channels", 3);
        this.outChannels = c.getInt("out_channels", 3);
        this.latentChannels = c.getInt("latent_channels", 4);
        this.layersPerBlock = c.getInt("layers_per_block", 1);
        this.normNumGroups = c.getInt("norm_num_groups", 32);
        this.scalingFactor = (float) c.getDouble("scaling_factor", 0.18215);
        for (int ch : blockOutChannels) {
            if (ch % normNumGroups != 0) {
                throw c.error("norm_num_groups", normNumGroups + " does not divide block_out_channels entry " + ch);
            }
        }
    }

    public static AutoencoderKLConfig read(Path file) throws IOException {
        return new AutoencoderKLConfig(Config.read(file));
    }

    private static void requireAll(Config c, String key, String type, int count) {
        List<String> types = c.has(key) ? c.getStrings(key) : List.of(type);
        if (types.size() != count) {
            throw c.error(key, "has " + types.size() + " entries, block_out_channels has " + count);
        }
        for (String t : types) {
            if (!t.equals(type)) {
                throw c.error(key, "unsupported block type \"" + t + "\" (supported: " + type + ")");
            }
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

    public int latentChannels() {
        return latentChannels;
    }

    public int blockCount() {
        return blockOutChannels.length;
    }

    public int blockOutChannels(int i) {
        return blockOutChannels[i];
    }

    public int layersPerBlock() {
        return layersPerBlock;
    }

    public int normNumGroups() {
        return normNumGroups;
    }

    /** Latents are multiplied by this before diffusion and divided by it before decoding. */
    public float scalingFactor() {
        return scalingFactor;
    }
}
