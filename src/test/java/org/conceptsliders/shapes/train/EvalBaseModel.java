package org.conceptsliders.shapes.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.text.ClipTokenizer;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.shapes.Measurement;
import org.conceptsliders.shapes.ShapeMeasurer;
import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Quality check of an exported base model, for people rather than CI: generates pictures for
 * "a [colour] [shape] on a [background] background" prompts with DDIM (eta 0) and
 * classifier-free guidance, and measures how often {@link ShapeMeasurer} reads back the
 * prompted colour, shape and background.
 * {@code EvalBaseModel MODEL_DIR [per-prompt=2] [steps=30] [guidance=4]}.
 *
 * <p>MERGE: replace the sampler with runtime.pipeline.StableDiffusionPipeline once main has it.
 */
public final class EvalBaseModel {
    private EvalBaseModel() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int perPrompt = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        float guidance = args.length > 3 ? Float.parseFloat(args[3]) : 4f;
        ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
        int colourOk = 0;
        int shapeOk = 0;
        int backgroundOk = 0;
        int total = 0;
        long seed = 0;
        try (NDManager weights = NDManager.newBaseManager(); NoGrad ignored = NoGrad.enter()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(dir.resolve("unet"), weights, Compute.cpu());
            CLIPTextModel text = CLIPTextModel.load(dir.resolve("text_encoder"), weights, Compute.cpu());
            AutoencoderKL vae = AutoencoderKL.load(dir.resolve("vae"), weights, Compute.cpu());
            int latentSide = Config.read(dir.resolve("vae/config.json")).getInt("sample_size") >> (vae.config().blockCount() - 1);
            for (Colour colour : Colour.values()) {
                for (Shape shape : Shape.values()) {
                    for (Background bg : Background.values()) {
                        String prompt = "a " + colour.word() + " " + shape.word() + " on a " + bg.word() + " background";
                        for (int k = 0; k < perPrompt; k++) {
                            int[] argb = generate(unet, text, vae, tokenizer, prompt, seed++, steps, guidance, latentSide);
                            int side = (int) Math.round(Math.sqrt(argb.length));
                            Measurement m = ShapeMeasurer.measure(argb, side, side);
                            colourOk += m.colour() == colour ? 1 : 0;
                            shapeOk += m.shape() == shape ? 1 : 0;
                            backgroundOk += m.background() == bg ? 1 : 0;
                            total++;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "after %s: colour %d/%d, shape %d/%d, background %d/%d%n",
                        colour.word(), colourOk, total, shapeOk, total, backgroundOk, total);
            }
        }
    }

    /** One picture: DDIM with SD 1.x's scheduler settings ("leading" spacing, offset 1, alpha at 0 for the last step). */
    static int[] generate(UNet2DConditionModel unet, CLIPTextModel text, AutoencoderKL vae, ClipTokenizer tokenizer,
                          String prompt, long seed, int steps, float guidance, int latentSide) {
        double[] alphasCumprod = DiffusersFolder.SCHEDULE.alphasCumprod();
        int ratio = DiffusersFolder.SCHEDULE.numTrainTimesteps() / steps;
        try (NDManager m = NDManager.newBaseManager()) {
            int[][] ids = tokenizer.encode(java.util.List.of("", prompt));
            int[] flat = new int[2 * ClipTokenizer.MAX_LENGTH];
            System.arraycopy(ids[0], 0, flat, 0, ClipTokenizer.MAX_LENGTH);
            System.arraycopy(ids[1], 0, flat, ClipTokenizer.MAX_LENGTH, ClipTokenizer.MAX_LENGTH);
            NDArray states = text.forward(m.create(flat, new ai.djl.ndarray.types.Shape(2, ClipTokenizer.MAX_LENGTH)))
                    .lastHiddenState();
            NDArray x = new TrainRandom(seed).randn(m, new ai.djl.ndarray.types.Shape(1, unet.config().inChannels(),
                    latentSide, latentSide));
            for (int i = steps - 1; i >= 0; i--) {
                int t = i * ratio + 1;
                int prev = t - ratio;
                NDArray eps2 = unet.forward(x.concat(x, 0), m.create(new int[] {t}), states);
                NDArray uncond = eps2.get("0:1");
                NDArray eps = uncond.add(eps2.get("1:2").sub(uncond).mul(guidance));
                double a = alphasCumprod[t];
                double aPrev = alphasCumprod[Math.max(prev, 0)];
                NDArray x0 = x.sub(eps.mul((float) Math.sqrt(1 - a))).div((float) Math.sqrt(a));
                x = x0.mul((float) Math.sqrt(aPrev)).add(eps.mul((float) Math.sqrt(1 - aPrev)));
            }
            return Pictures.fromTensor(vae.decode(x.div(vae.scalingFactor())))[0];
        }
    }

}
