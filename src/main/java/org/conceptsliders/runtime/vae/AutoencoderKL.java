package org.conceptsliders.runtime.vae;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.WeightSource;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.WeightLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * diffusers {@code AutoencoderKL} (0.20): the Stable Diffusion VAE. {@link #encode} maps an
 * image in [-1, 1] to the latent distribution ({@code encoder}, {@code quant_conv});
 * {@link #decode} maps a latent back to an image ({@code post_quant_conv}, {@code decoder}).
 * Neither applies {@link #scalingFactor()}: that is the pipeline's step.
 */
public final class AutoencoderKL extends Module {
    /**
     * Checkpoints written before diffusers 0.14 name the mid-block attention weights
     * {@code query/key/value/proj_attn}; they are the same layers as {@code to_q/to_k/to_v/to_out.0}.
     */
    private static final Pattern LEGACY_ATTENTION = Pattern.compile("(\\.attentions\\.\\d+\\.)(query|key|value|proj_attn)\\.");

    private final AutoencoderKLConfig config;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    public AutoencoderKL(AutoencoderKLConfig c) {
        this.config = c;
        this.encoder = child("encoder", new Encoder(c));
        this.decoder = child("decoder", new Decoder(c));
        this.quantConv = child("quant_conv", new Conv2d(2L * c.latentChannels(), 2L * c.latentChannels(), 1, 1, 0));
        this.postQuantConv = child("post_quant_conv", new Conv2d(c.latentChannels(), c.latentChannels(), 1, 1, 0));
    }

    /**
     * Reads {@code config.json} and the weights ({@code diffusion_pytorch_model.safetensors}, its
     * {@code .fp16} variant or a shard index) of a diffusers {@code vae} folder; either attention
     * naming is accepted. The weights are created in {@code manager}, which must be on
     * {@code compute}'s device, in its dtype.
     */
    public static AutoencoderKL load(Path dir, NDManager manager, Compute compute) throws IOException {
        compute.requireOn(manager);
        AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.read(dir.resolve("config.json")));
        try (WeightSource source = WeightSource.openComponent(dir, "diffusion_pytorch_model")) {
            WeightLoader.load(vae, source.renamed(AutoencoderKL::currentAttentionName), manager, compute.dtype());
        }
        return vae;
    }

    /** The current diffusers name of a weight that may use the legacy attention naming. */
    static String currentAttentionName(String key) {
        return LEGACY_ATTENTION.matcher(key).replaceFirst(m -> m.group(1) + switch (m.group(2)) {
            case "query" -> "to_q";
            case "key" -> "to_k";
            case "value" -> "to_v";
            default -> "to_out.0";
        } + ".");
    }

    public AutoencoderKLConfig config() {
        return config;
    }

    public float scalingFactor() {
        return config.scalingFactor();
    }

    /** {@code image} [B, in_channels, H, W] in [-1, 1], H and W multiples of the down-sampling factor. */
    public LatentDist encode(NDArray image) {
        NDArray moments = quantConv.forward(encoder.forward(image));
        NDList halves = moments.split(2, 1);
        NDArray logvar = Owned.clip(halves.get(1), -30f, 20f);
        return new LatentDist(halves.get(0), Owned.mul(logvar, 0.5f).exp());
    }

    /** {@code latent} [B, latent_channels, h, w] (unscaled) -> image [B, out_channels, H, W], about [-1, 1]. */
    public NDArray decode(NDArray latent) {
        return decoder.forward(postQuantConv.forward(latent));
    }
}
