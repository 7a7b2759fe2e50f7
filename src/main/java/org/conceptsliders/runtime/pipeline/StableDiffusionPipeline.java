package org.conceptsliders.runtime.pipeline;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.schedulers.DDIMScheduler;
import org.conceptsliders.runtime.schedulers.Sampler;
import org.conceptsliders.runtime.text.ClipTokenizer;
import org.conceptsliders.runtime.text.TextEncoderOutput;

import java.util.List;

/**
 * Text-to-image, image-to-image and DDIM inversion on a {@link StableDiffusionModel}, as
 * diffusers' StableDiffusionPipeline and StableDiffusionXLPipeline compute them: classifier-free
 * guidance on a [uncond, cond] batch, the scheduler chosen by the caller, VAE decoding with the
 * model's scaling factor. Every method works in the managers of its inputs; the caller owns them.
 */
public final class StableDiffusionPipeline {
    private final StableDiffusionModel model;

    public StableDiffusionPipeline(StableDiffusionModel model) {
        this.model = model;
    }

    public StableDiffusionModel model() {
        return model;
    }

    /**
     * Encodes prompt and negative prompt for a batch of {@code batch} images of the given size.
     * SD 1.x/2.x: the last hidden state of the text encoder. SDXL: the penultimate states of both
     * encoders concatenated, pooled embeds of the second, and time ids (h, w, 0, 0, h, w); an empty
     * negative prompt gives zeros when the folder says {@code force_zeros_for_empty_prompt}.
     */
    public PromptEmbeddings encode(String prompt, String negative, int batch, int width, int height, NDManager m) {
        String neg = negative == null ? "" : negative;
        if (model.kind() != ModelKind.SDXL) {
            NDArray ids = ids(model.tokenizer(), List.of(neg, prompt), m);
            NDArray hidden = model.textEncoder().forward(ids).lastHiddenState();
            return new PromptEmbeddings(repeatHalves(hidden, batch), null, null);
        }
        NDArray ids1 = ids(model.tokenizer(), List.of(neg, prompt), m);
        NDArray ids2 = ids(model.tokenizer2(), List.of(neg, prompt), m);
        NDArray h1 = model.textEncoder().forward(ids1).penultimateHiddenState();
        TextEncoderOutput out2 = model.textEncoder2().forward(ids2);
        NDArray hidden = h1.concat(out2.penultimateHiddenState(), -1);
        NDArray pooled = out2.textEmbeds();
        if (neg.isEmpty() && model.forceZerosForEmptyPrompt()) {
            hidden = zeroFirst(hidden);
            pooled = zeroFirst(pooled);
        }
        NDArray timeIds = Owned.floats(m, height, width, 0, 0, height, width).reshape(1, 6)
                .repeat(0, 2L * batch);
        return new PromptEmbeddings(repeatHalves(hidden, batch), repeatHalves(pooled, batch), timeIds.toType(hidden.getDataType(), false));
    }

    private NDArray ids(ClipTokenizer tok, List<String> prompts, NDManager m) {
        int[][] ids = tok.encode(prompts);
        long[] flat = new long[ids.length * ids[0].length];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                flat[i * ids[i].length + j] = ids[i][j];
            }
        }
        return Owned.longs(m, flat, new Shape(ids.length, ids[0].length)).toDevice(model.compute().device(), false);
    }

    /** Replaces the first (unconditional) row by zeros. */
    private static NDArray zeroFirst(NDArray x) {
        return NDArrays.concat(new NDList(x.get("0:1").zerosLike(), x.get("1:")), 0);
    }

    /** [uncond; cond] -> [uncond x batch; cond x batch]. */
    private static NDArray repeatHalves(NDArray x, int batch) {
        return batch == 1 ? x : x.repeat(0, batch);
    }

    /** The initial noise of a seed, as torch.manual_seed(seed); torch.randn(shape) on the CPU. */
    public NDArray noise(long seed, int batch, int width, int height, NDManager m) {
        checkSize(width, height);
        long c = model.unet().config().inChannels();
        Shape shape = new Shape(batch, c, height / 8, width / 8);
        float[] values = new org.conceptsliders.runtime.noise.TorchGenerator(seed).randn(shape.getShape());
        return Owned.floats(m, values, shape).toDevice(model.compute().device(), false);
    }

    public static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("width/height: must be positive multiples of 8, got " + width + "x" + height);
        }
    }

    /**
     * Runs the sampler's steps from index {@code from} on {@code latents} with guidance. Each step
     * runs in its own sub-manager; only the next latent survives it. A cancel between steps frees
     * everything of the step and propagates.
     */
    public NDArray denoise(NDArray latents, PromptEmbeddings emb, Sampler sampler, double guidance, int from,
                           TimestepHook hook, ProgressListener progress, CancelToken cancel) {
        double[] ts = sampler.timesteps();
        long start = System.nanoTime();
        NDManager owner = latents.getManager();
        NDArray x = latents;
        for (int i = from; i < ts.length; i++) {
            cancel.check();
            hook.beforeUnet(ts[i]);
            NDArray next;
            try (NDManager step = owner.newSubManager()) {
                x.tempAttach(step);  // the step's temporaries land in `step`; x goes back to its owner on close
                NDArray eps = guidedEps(x, ts[i], sampler.scaleModelInput(x, i), emb, guidance, step);
                next = sampler.step(eps, i, x).prevSample();
                next.attach(owner);
            }
            if (x != latents) {
                x.close();
            }
            x = next;
            progress.onProgress(new Progress(i - from + 1, ts.length - from, ts[i], System.nanoTime() - start, null));
        }
        return x;
    }

    /**
     * DDIM inversion: runs the DDIM update with the sampling timesteps in reverse, from the clean
     * latent up to the noise of step {@code to} (0 = the noisiest), so that denoising from
     * {@code to} with the same prompt and guidance regenerates the image. Exact in the limit of
     * many steps at guidance 1; larger guidance drifts, as in diffusers.
     */
    public NDArray invert(NDArray latents, PromptEmbeddings emb, DDIMScheduler ddim, int steps, int to, double guidance,
                          ProgressListener progress, CancelToken cancel) {
        int[] ts = ddim.timesteps(steps);
        long start = System.nanoTime();
        NDManager owner = latents.getManager();
        NDArray x = latents;
        for (int i = ts.length - 1; i >= to; i--) {
            cancel.check();
            NDArray next;
            try (NDManager step = owner.newSubManager()) {
                x.tempAttach(step);
                NDArray eps = guidedEps(x, ts[i], x, emb, guidance, step);
                next = ddim.invertStep(eps, ts[i], x, steps).prevSample();
                next.attach(owner);
            }
            if (x != latents) {
                x.close();
            }
            x = next;
            progress.onProgress(new Progress(ts.length - i, ts.length - to, ts[i], System.nanoTime() - start, "inverting"));
        }
        return x;
    }

    /**
     * The first step index and the starting latent of image-to-image: with {@code strength} s the
     * last floor(steps * s) steps run (as diffusers), from the clean latent noised to that step's level.
     */
    public static int img2imgStart(int steps, double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength: must be in (0, 1], got " + strength);
        }
        return steps - Math.min(steps, (int) (steps * strength));
    }

    /** The guided noise prediction uncond + g (cond - uncond) for the model input {@code in}. */
    private NDArray guidedEps(NDArray x, double t, NDArray in, PromptEmbeddings emb, double guidance, NDManager m) {
        // what the UNet derives from the conditioning (cross-attention keys and values) is per step too
        for (NDArray a : new NDArray[] {emb.hidden(), emb.pooled(), emb.timeIds()}) {
            if (a != null) {
                a.tempAttach(m);
            }
        }
        long b = x.getShape().get(0);
        NDArray doubled = in.concat(in, 0);
        NDArray timesteps = Owned.floats(m, (float) t).repeat(0, 2 * b).toDevice(x.getDevice(), false);
        NDArray out = model.unet().forward(doubled, timesteps, emb.hidden(), emb.pooled(), emb.timeIds());
        NDArray uncond = out.get(new NDIndex("0:{}", b));
        NDArray cond = out.get(new NDIndex("{}:", b));
        return uncond.add(Owned.mul(cond.sub(uncond), (float) guidance));
    }

    /** VAE decode of final latents to an image batch in [0, 1], [B, 3, H, W], float32 on the CPU. */
    public NDArray decode(NDArray latents) {
        NDArray img = model.vae().decode(Owned.div(latents, (float) model.vae().scalingFactor()));
        return Owned.clip(Owned.add(Owned.div(img, 2), 0.5f), 0, 1).toType(DataType.FLOAT32, false).toDevice(ai.djl.Device.cpu(), false);
    }

    /** VAE encode of an image batch in [0, 1] to scaled latents (the distribution's mean). */
    public NDArray encodeImage(NDArray image01) {
        NDArray x = Owned.sub(Owned.mul(image01.toDevice(model.compute().device(), false).toType(model.compute().dtype(), false), 2), 1);
        return Owned.mul(model.vae().encode(x).mean(), (float) model.vae().scalingFactor());
    }
}
