package org.conceptsliders.shapes.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.AtomicFiles;
import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nn.WeightWriter;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.runtime.train.TrainingLoop;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.runtime.vae.LatentDist;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Fine-tunes the decoder of a finished shapes model's VAE with its encoder frozen, as Stability
 * did for SD's VAE (sd-vae-ft-mse): the latent space the UNet and the sliders were trained in
 * stays exactly as it was, and only how latents are drawn gets sharper. The VAE stage trains on
 * crops, briefly, with a noisy latent; the decoder it leaves draws softer than its latents allow
 * (reconstruction PSNR about 20.6 dB on drawn scenes). Loss: the VAE stage's foreground-weighted
 * L1 plus an L1 on the error's horizontal and vertical differences, whole pictures, rate
 * cosine-decayed to 0. Checkpoints and resumes exactly, like the other stages; the result is a
 * copy of the model folder whose VAE weights carry the tuned decoder.
 */
public final class DecoderTuner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

    private final DecoderRecipe recipe;
    private final ShapesWorld world;

    private DecoderTuner(DecoderRecipe recipe, int size) {
        this.recipe = recipe;
        this.world = new ShapesWorld(size, size, recipe.world());
    }

    /**
     * Tunes the decoder of {@code modelDir}'s VAE (checkpoints in {@code work}; rerun to resume)
     * and writes {@code outDir}: the model folder with the tuned VAE weights. Refuses to write a
     * VAE that keeps fewer colours than the one it started from ({@link ColourCheck}).
     */
    public static void run(Path modelDir, Path work, Path outDir, DecoderRecipe recipe, ProgressListener progress,
                           CancelToken cancel) throws Exception {
        if (outDir.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("OUT " + outDir + " is the model folder itself; write the tuned model beside it");
        }
        Path vaeDir = modelDir.resolve("vae");
        int size = JSON.readTree(vaeDir.resolve("config.json").toFile()).path("sample_size").asInt(0);
        if (size <= 0) {
            throw new IllegalArgumentException(vaeDir.resolve("config.json") + ": sample_size is missing (the picture side)");
        }
        Files.createDirectories(work);
        Files.writeString(work.resolve("decoder-recipe.json"), recipe.toJson(), StandardCharsets.UTF_8);
        new DecoderTuner(recipe, size).tune(vaeDir, work, outDir, modelDir, progress, cancel);
    }

    private void tune(Path vaeDir, Path work, Path outDir, Path modelDir, ProgressListener progress, CancelToken cancel)
            throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(vaeDir, manager, Compute.cpu());
            List<ShapeScene> colourScenes = ColourCheck.scenes(world, 12, Seeds.of(recipe.seed(), Seeds.COLOUR_SCENES));
            ColourCheck.Result before = ColourCheck.check(world, colourScenes, p -> BaseModelTrainer.reconstruct(vae, p));
            try (TrainableSet decoder = TrainableSet.select(vae, n -> n.startsWith("decoder.") || n.startsWith("post_quant_conv."));
                 AdamW adam = AdamW.builder()
                         .setLearningRate(LrSchedule.cosineWithWarmup(recipe.lr(), recipe.warmupSteps(), recipe.steps()))
                         .optMaxGradNorm(1.0).build(decoder)) {
                TrainingLoop.builder().setSteps(recipe.steps()).setStep((i, r, m) -> step(vae, i, r, m))
                        .setOptimizer(adam).setRandom(new TrainRandom(Seeds.of(recipe.seed(), Seeds.DECODER_NOISE)))
                        .setManager(manager)
                        .optCheckpoint(work.resolve("decoder.ckpt.safetensors"), recipe.checkpointEvery())
                        .optLossLog(work.resolve("decoder.loss.csv"))
                        .optProgress(p -> progress.onProgress(new Progress(p.step(), p.total(), p.timestep(),
                                p.elapsedNanos(), "decoder · " + p.message())))
                        .optCancel(cancel).optConfig(recipe.identity())
                        .build().run();
            }
            ColourCheck.Result after = ColourCheck.check(world, colourScenes, p -> BaseModelTrainer.reconstruct(vae, p));
            String report = "colour check before " + before + "; after " + after;
            Files.writeString(work.resolve("decoder.colour.txt"), report + "\n", StandardCharsets.UTF_8);
            progress.onProgress(new Progress(recipe.steps(), recipe.steps(), Double.NaN, 0, report));
            if (after.passed() < before.passed()) {
                throw new IllegalStateException("the tuned decoder keeps fewer colours than the original (" + report
                        + "); nothing written to " + outDir);
            }
            AtomicFiles.deleteTree(outDir);  // a folder cannot be moved over a non-empty one; rerunning rewrites it
            AtomicFiles.write(outDir, tmp -> {
                copyTree(modelDir, tmp);
                WeightWriter.write(vae, tmp.resolve("vae").resolve(WEIGHTS), DataType.FLOAT16,
                        Map.of("format", "pt", "conceptsliders.decoder_recipe", recipe.identity()));
            });
        }
    }

    float step(AutoencoderKL vae, int iteration, TrainRandom rng, NDManager m) {
        Random data = new Random(Seeds.of(recipe.seed(), Seeds.DECODER_DATA, iteration));
        int n = recipe.batch();
        int[][] pictures = new int[n][];
        float[] u = new float[n];
        for (int b = 0; b < n; b++) {
            pictures[b] = world.render(world.random(data));
            u[b] = (float) (data.nextDouble() * recipe.latentNoise());
        }
        NDArray x = Pictures.toTensor(pictures, world.width(), world.height(), m);
        NDArray weights = Pictures.foregroundWeights(pictures, world.width(), world.height(), recipe.foregroundWeight(), m);
        LatentDist d;
        try (NoGrad ignored = NoGrad.enter()) {
            d = vae.encode(x);
        }
        NDArray noise = rng.randn(m, d.mean().getShape()).mul(Owned.floats(m, u, new Shape(n, 1, 1, 1)));
        NDArray z = d.mean().add(d.std().mul(noise));
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray error = vae.decode(z).sub(x);
            loss = Pictures.reconstructionLoss(error, weights, recipe.edgeWeight(), recipe.mseWeight());
            gc.backward(loss);
        }
        return loss.getFloat();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
