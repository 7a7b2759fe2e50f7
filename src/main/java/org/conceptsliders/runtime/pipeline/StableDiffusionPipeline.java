package org.conceptsliders.runtime.pipeline;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.schedulers.DDIMScheduler;
import org.conceptsliders.runtime.schedulers.Sampler;
import org.conceptsliders.runtime.text.ClipTokenizer;
import org.conceptsliders.runtime.text.TextEncoderOutput;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.TrainableSet;

import java.util.List;
import java.util.Map;

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
     * many steps at guidance 1; larger guidance drifts, as in diffusers. Each of
     * {@code iterations} fixed-point passes per step ({@link DDIMScheduler#invertStepAt}, one more
     * UNet evaluation each) moves the result toward the exact inverse of the sampler at this
     * number of steps; 0 is diffusers' DDIM inversion.
     */
    public NDArray invert(NDArray latents, PromptEmbeddings emb, DDIMScheduler ddim, int steps, int to, double guidance,
                          int iterations, ProgressListener progress, CancelToken cancel) {
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
                for (int k = 0; k < iterations; k++) {
                    cancel.check();
                    next = ddim.invertStepAt(guidedEps(next, ts[i], next, emb, guidance, step), ts[i], next, x, steps);
                }
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
            // once per manager: a second tempAttach would take m as the manager to return to
            if (a != null && a.getManager() != m) {
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
        return Owned.mul(model.vae().encode(vaeInput(image01)).mean(), (float) model.vae().scalingFactor());
    }

    /** Adam's step size in scaled latent units (unit variance for every SD VAE); cosine-decayed to 0. */
    static final double FIT_LEARNING_RATE = 0.02;

    /**
     * Decoder inversion: the scaled latent whose decode is nearest the image (mean squared
     * error), found by {@code steps} Adam updates from the encoder's mean. The encoder only
     * approximates the decoder's inverse, so its latent decodes softer than the decoder can draw;
     * fitting lifts the reconstruction an inversion can reach (Hong et al. 2024, "On exact
     * inversion of DPM-solvers", invert the decoder the same way). Each step is one decode with
     * its backward pass. {@code steps} 0 is {@link #encodeImage}.
     */
    public NDArray encodeImage(NDArray image01, int steps, CancelToken cancel) {
        NDArray latent = encodeImage(image01);
        if (steps <= 0) {
            return latent;
        }
        NDManager owner = latent.getManager();
        NDArray target = vaeInput(image01);
        float scale = (float) model.vae().scalingFactor();
        NDArray fitted = latent.toType(DataType.FLOAT32, false);
        try (TrainableSet variable = TrainableSet.of(Map.of("latent", Parameter.of(fitted)));
             AdamW adam = AdamW.builder().setLearningRate(LrSchedule.cosineWithWarmup(FIT_LEARNING_RATE, 0, steps))
                     .optWeightDecay(0).build(variable)) {
            for (int i = 0; i < steps; i++) {
                cancel.check();
                try (NDManager step = owner.newSubManager()) {
                    fitted.tempAttach(step);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray decoded = model.vae().decode(Owned.div(fitted.toType(latent.getDataType(), false), scale));
                        gc.backward(decoded.toType(DataType.FLOAT32, false).sub(target).square().mean());
                    }
                }
                adam.step();
            }
        }
        return fitted.toType(latent.getDataType(), false);
    }

    /** Pixels in [0, 1] to the VAE's input: [-1, 1] in the compute device and type. */
    private NDArray vaeInput(NDArray image01) {
        return Owned.sub(Owned.mul(image01.toDevice(model.compute().device(), false).toType(model.compute().dtype(), false), 2), 1);
    }
}
