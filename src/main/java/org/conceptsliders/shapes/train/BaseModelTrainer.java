package org.conceptsliders.shapes.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.Sha256;
import org.conceptsliders.runtime.io.WeightSource;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.WeightLoader;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.schedulers.DDPMScheduler;
import org.conceptsliders.runtime.text.CLIPTextConfig;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.text.ClipTokenizer;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.Ema;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.ParameterInit;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.runtime.train.TrainingLoop;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.unet.UNetConfig;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.runtime.vae.AutoencoderKLConfig;
import org.conceptsliders.runtime.vae.LatentDist;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains the project's embedded text-to-image model on the shapes world and writes it as a
 * diffusers {@code StableDiffusionPipeline} folder, in two resumable stages:
 * <ol>
 *   <li>"vae": an {@code AutoencoderKL} on per-pixel L1 (foreground pixels weighted up) plus a
 *   small KL term, in rounds until {@link ColourCheck} passes; then the latent scaling factor is
 *   set to 1 / std of the latents (diffusers' convention) and the EMA weights are kept in
 *   {@code work/vae/};</li>
 *   <li>"unet": the {@code UNet2DConditionModel} and the {@code CLIPTextModel} jointly, on the
 *   DDPM epsilon objective (SD's scaled-linear 1000-step schedule) over cached latents, with the
 *   shapes world's captions (one in ten empty, for classifier-free guidance).</li>
 * </ol>
 * Every stage checkpoints to the work folder ({@code vae.ckpt.safetensors},
 * {@code unet.ckpt.safetensors}, loss logs {@code *.loss.csv}); calling {@link #run} again with
 * the same recipe resumes exactly where a stop left off. The export is fp16 EMA weights.
 */
public final class BaseModelTrainer {
    private static final int SCALE_SAMPLES = 256;
    private static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model";

    private final Path work;
    private final BaseModelRecipe recipe;
    private final ProgressListener progress;
    private final CancelToken cancel;
    private final ShapesWorld world;
    private final Path from;

    BaseModelTrainer(Path work, BaseModelRecipe recipe, Path from, ProgressListener progress, CancelToken cancel) {
        this.work = work;
        this.recipe = recipe;
        this.from = from;
        this.progress = progress;
        this.cancel = cancel;
        this.world = new ShapesWorld(recipe.imageSize(), recipe.imageSize(), recipe.world());
    }

    /**
     * Runs or resumes every stage in {@code workDir} and exports the model to {@code outModelDir}.
     * A cancel saves a checkpoint and throws {@link java.util.concurrent.CancellationException}.
     */
    public static void run(Path workDir, Path outModelDir, BaseModelRecipe recipe, ProgressListener progress,
                           CancelToken cancel) throws Exception {
        run(workDir, outModelDir, recipe, null, progress, cancel);
    }

    /**
     * As {@link #run(Path, Path, BaseModelRecipe, ProgressListener, CancelToken)}, but fine-tunes the
     * model folder {@code from} (of the recipe's architecture) instead of training from scratch: its
     * VAE is kept as it is, so the latent space its UNet learnt stays, and the UNet and text encoder
     * start from its weights for the recipe's UNet schedule. {@code null}: from scratch.
     */
    public static void run(Path workDir, Path outModelDir, BaseModelRecipe recipe, Path from, ProgressListener progress,
                           CancelToken cancel) throws Exception {
        BaseModelTrainer t = new BaseModelTrainer(workDir, recipe, from, progress, cancel);
        Files.createDirectories(workDir);
        Files.writeString(workDir.resolve("recipe.json"), recipe.toJson(), StandardCharsets.UTF_8);
        t.trainVae();
        t.trainUnet(outModelDir);
    }

    /** The folder where the VAE stage leaves its finished (EMA, float32) VAE. */
    static Path vaeDir(Path workDir) {
        return workDir.resolve("vae");
    }

    private void trainVae() throws Exception {
        Path done = vaeDir(work).resolve("config.json");
        if (Files.exists(done)) {
            return;
        }
        Path config = DiffusersFolder.writeJson(work.resolve("config").resolve("vae.json"), DiffusersFolder.vaeConfig(recipe, 1.0));
        if (from != null) {
            copyVae(config);
            return;
        }
        Path ckpt = work.resolve("vae.ckpt.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.read(config));
            ParameterInit.initialize(vae, manager, DataType.FLOAT32, new TrainRandom(Seeds.of(recipe.seed(), Seeds.VAE_INIT)));
            List<ShapeScene> colourScenes = ColourCheck.scenes(world, recipe.colourScenes(),
                    Seeds.of(recipe.seed(), Seeds.COLOUR_SCENES));
            try (TrainableSet params = TrainableSet.select(vae, n -> true);
                 AdamW adam = AdamW.builder().setLearningRate(LrSchedule.constantWithWarmup(recipe.vaeLr(), recipe.warmupSteps()))
                         .optMaxGradNorm(1.0).build(params);
                 Ema ema = new Ema(params, recipe.emaDecay(), true)) {
                TrainRandom rng = new TrainRandom(Seeds.of(recipe.seed(), Seeds.VAE_NOISE));
                int target = recipe.vaeSteps();
                int resumedAt = checkpointStep(ckpt);
                while (target < resumedAt) {
                    target = nextVaeTarget(target);
                }
                while (true) {
                    TrainingLoop.builder().setSteps(target).setStep((i, r, m) -> vaeStep(vae, i, r, m))
                            .setOptimizer(adam).optEma(ema).setRandom(rng).setManager(manager)
                            .optCheckpoint(ckpt, recipe.checkpointEvery()).optLossLog(work.resolve("vae.loss.csv"))
                            .optProgress(stage("vae")).optCancel(cancel).optConfig(recipe.vaeIdentity())
                            .build().run();
                    ColourCheck.Result check;
                    try (Ema.Swap swap = ema.swapIn()) {
                        check = ColourCheck.check(world, colourScenes, pictures -> reconstruct(vae, pictures));
                    }
                    Files.writeString(work.resolve("vae.colour.txt"), "step " + target + ": " + check + "\n",
                            StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    progress.onProgress(new Progress(target, target, Double.NaN, 0, "vae colour check: " + check));
                    if (check.rate() >= recipe.colourPassRate() || target >= recipe.vaeMaxSteps()) {
                        break;
                    }
                    target = nextVaeTarget(target);
                }
                try (Ema.Swap swap = ema.swapIn()) {
                    double scale = latentScale(vae);
                    DiffusersFolder.writeComponent(vaeDir(work), "diffusion_pytorch_model.safetensors",
                            DiffusersFolder.vaeConfig(recipe, scale), vae, DataType.FLOAT32);
                }
            }
        }
    }

    /** The starting model's VAE, weights and scaling factor, as this stage's result. */
    private void copyVae(Path config) throws IOException {
        Path source = from.resolve("vae");
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.read(config));
            loadWeights(vae, source.resolve(DIFFUSERS_WEIGHTS + ".safetensors"), manager);
            double scale = AutoencoderKLConfig.read(source.resolve("config.json")).scalingFactor();
            DiffusersFolder.writeComponent(vaeDir(work), DIFFUSERS_WEIGHTS + ".safetensors",
                    DiffusersFolder.vaeConfig(recipe, scale), vae, DataType.FLOAT32);
        }
    }

    /** Replaces a module's weights by a file's (as float32); the error names the file and what does not fit. */
    private static void loadWeights(Module module, Path file, NDManager manager) throws IOException {
        try (WeightSource source = WeightSource.open(file)) {
            WeightLoader.load(module, source, manager, DataType.FLOAT32, k -> k.endsWith("position_ids"));
        }
    }

    /** Another half of the first length, up to the maximum. */
    private int nextVaeTarget(int target) {
        return Math.min(recipe.vaeMaxSteps(), target + Math.max(1, recipe.vaeSteps() / 2));
    }

    private static int checkpointStep(Path ckpt) throws IOException {
        if (!Files.exists(ckpt)) {
            return 0;
        }
        try (SafeTensors st = SafeTensors.open(ckpt)) {
            return Integer.parseInt(st.metadata().get("step"));
        }
    }

    float vaeStep(AutoencoderKL vae, int iteration, TrainRandom rng, NDManager m) {
        Random data = new Random(Seeds.of(recipe.seed(), Seeds.VAE_DATA, iteration));
        int n = recipe.vaeBatch();
        int crop = recipe.vaeCrop() == 0 ? recipe.imageSize() : recipe.vaeCrop();
        int[][] pictures = new int[n][];
        for (int b = 0; b < n; b++) {
            ShapeScene scene = world.random(data);
            pictures[b] = Pictures.crop(world.render(scene), recipe.imageSize(), crop,
                    window(scene.x(), crop, data), window(scene.y(), crop, data));
        }
        NDArray x = Pictures.toTensor(pictures, crop, crop, m);
        NDArray weights = Pictures.foregroundWeights(pictures, crop, crop, recipe.foregroundWeight(), m);
        int side = crop >> (recipe.vaeChannels().length - 1);
        NDArray noise = rng.randn(m, new Shape(n, recipe.latentChannels(), side, side));
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LatentDist d = vae.encode(x);
            NDArray rebuilt = vae.decode(d.sample(noise));
            NDArray error = rebuilt.sub(x);
            NDArray rec = Pictures.reconstructionLoss(error, weights,
                    iteration >= recipe.vaeEdgeFromStep() ? recipe.vaeEdgeWeight() : 0, recipe.vaeMseWeight());
            NDArray variance = d.std().square();
            // KL(N(mean, var) || N(0, 1)) summed over the latent, averaged over the batch, as in SD's VAE.
            NDArray kl = Owned.mul(Owned.sub(d.mean().square().add(variance), 1).sub(variance.log()).sum(), 0.5f / n);
            loss = rec.add(Owned.mul(kl, (float) recipe.klWeight()));
            gc.backward(loss);
        }
        return loss.getFloat();
    }

    /** Left (or top) edge of a crop window around {@code centre}, jittered by up to a quarter crop, inside the picture. */
    private int window(double centre, int crop, Random data) {
        int size = recipe.imageSize();
        double jitter = (data.nextDouble() - 0.5) * crop / 2;
        int start = (int) Math.round(centre * size - crop / 2.0 + jitter);
        return Math.max(0, Math.min(size - crop, start));
    }

    /** Encode (mean) and decode, in batches, without gradients. */
    static int[][] reconstruct(AutoencoderKL vae, int[][] pictures) {
        int side = (int) Math.round(Math.sqrt(pictures[0].length));
        int[][] out = new int[pictures.length][];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int start = 0; start < pictures.length; start += 32) {
                int n = Math.min(32, pictures.length - start);
                int[][] chunk = java.util.Arrays.copyOfRange(pictures, start, start + n);
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray rebuilt = vae.decode(vae.encode(Pictures.toTensor(chunk, side, side, m)).mean());
                    System.arraycopy(Pictures.fromTensor(rebuilt), 0, out, start, n);
                }
            }
        }
        return out;
    }

    /** 1 / std of sampled latents of a fixed set of pictures: diffusers' {@code scaling_factor}. */
    private double latentScale(AutoencoderKL vae) {
        Random data = new Random(Seeds.of(recipe.seed(), Seeds.SCALE));
        TrainRandom noise = new TrainRandom(Seeds.of(recipe.seed(), Seeds.SCALE, 1));
        double sum = 0;
        double sumSq = 0;
        long count = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int start = 0; start < SCALE_SAMPLES; start += 32) {
                int[][] pictures = new int[32][];
                for (int b = 0; b < 32; b++) {
                    pictures[b] = world.render(world.random(data));
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    LatentDist d = vae.encode(Pictures.toTensor(pictures, world.width(), world.height(), m));
                    float[] z = d.sample(noise.randn(m, d.mean().getShape())).toFloatArray();
                    for (float v : z) {
                        sum += v;
                        sumSq += (double) v * v;
                    }
                    count += z.length;
                }
            }
        }
        double mean = sum / count;
        return 1.0 / Math.sqrt(sumSq / count - mean * mean);
    }

    private void trainUnet(Path outModelDir) throws Exception {
        Path configDir = work.resolve("config");
        Path unetConfig = DiffusersFolder.writeJson(configDir.resolve("unet.json"), DiffusersFolder.unetConfig(recipe));
        Path textConfig = DiffusersFolder.writeJson(configDir.resolve("text_encoder.json"), DiffusersFolder.textEncoderConfig(recipe));
        Path tokenizerDir = work.resolve("tokenizer");
        DiffusersFolder.writeTokenizer(tokenizerDir);
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
        DDPMScheduler schedule = new DDPMScheduler(DiffusersFolder.SCHEDULE);
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(vaeDir(work), manager, Compute.cpu());
            float scale = vae.scalingFactor();
            LatentCache cache = LatentCache.loadOrBuild(work.resolve("latents.safetensors"), vae,
                    vaeDir(work).resolve("diffusion_pytorch_model.safetensors"), world, recipe);
            UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(unetConfig));
            CLIPTextModel text = new CLIPTextModel(CLIPTextConfig.read(org.conceptsliders.runtime.config.Config.read(textConfig)),
                    Compute.cpu());
            TrainRandom init = new TrainRandom(Seeds.of(recipe.seed(), Seeds.UNET_INIT));
            ParameterInit.initialize(unet, manager, DataType.FLOAT32, init);
            ParameterInit.initialize(text, manager, DataType.FLOAT32, init);
            String startIdentity = "";
            if (from != null) {
                Path unetWeights = from.resolve("unet").resolve(DIFFUSERS_WEIGHTS + ".safetensors");
                Path textWeights = from.resolve("text_encoder").resolve("model.safetensors");
                loadWeights(unet, unetWeights, manager);
                loadWeights(text, textWeights, manager);
                // a checkpoint of another start must not be resumed
                startIdentity = " from unet-sha256 " + new Sha256().add(Files.newInputStream(unetWeights)).hex()
                        + " text-sha256 " + new Sha256().add(Files.newInputStream(textWeights)).hex();
            }
            Map<String, Parameter> both = new LinkedHashMap<>();
            unet.namedParameters().forEach((n, p) -> both.put("unet." + n, p));
            text.namedParameters().forEach((n, p) -> both.put("text_encoder." + n, p));
            try (TrainableSet params = TrainableSet.of(both);
                 AdamW adam = AdamW.builder().setLearningRate(LrSchedule.warmupStableDecay(recipe.unetLr(), recipe.warmupSteps(),
                         recipe.unetDecaySteps(), recipe.unetSteps()))
                         .optMaxGradNorm(1.0).build(params);
                 Ema ema = new Ema(params, recipe.emaDecay(), true)) {
                TrainRandom rng = new TrainRandom(Seeds.of(recipe.seed(), Seeds.UNET_NOISE));
                int resumedAt = checkpointStep(work.resolve("unet.ckpt.safetensors"));
                if (resumedAt > recipe.unetSteps()) {
                    throw new IllegalArgumentException("the UNet checkpoint is at step " + resumedAt
                            + ", beyond this recipe's unetSteps " + recipe.unetSteps());
                }
                TrainingLoop.builder().setSteps(recipe.unetSteps())
                        .setStep((i, r, m) -> unetStep(unet, text, tokenizer, schedule, cache, scale, i, r, m))
                        .setOptimizer(adam).optEma(ema).setRandom(rng).setManager(manager)
                        .optCheckpoint(work.resolve("unet.ckpt.safetensors"), recipe.checkpointEvery())
                        .optLossLog(work.resolve("unet.loss.csv"))
                        .optProgress(stage("unet")).optCancel(cancel).optConfig(recipe.unetIdentity() + startIdentity)
                        .build().run();
                try (Ema.Swap swap = ema.swapIn()) {
                    export(outModelDir, unet, text, vae);
                }
            }
        }
    }

    float unetStep(UNet2DConditionModel unet, CLIPTextModel text, ClipTokenizer tokenizer, DDPMScheduler schedule,
                           LatentCache cache, float scale, int iteration, TrainRandom rng, NDManager m) {
        Random data = new Random(Seeds.of(recipe.seed(), Seeds.UNET_DATA, iteration));
        int n = recipe.unetBatch();
        int per = cache.perScene();
        int[] ids = new int[n * ClipTokenizer.MAX_LENGTH];
        float[] latentNoise = randn(rng, n * per);
        float[] x0 = new float[n * per];
        for (int b = 0; b < n; b++) {
            int i = data.nextInt(cache.size());
            String caption = world.caption(cache.scene(i), data);
            System.arraycopy(tokenizer.encode(caption), 0, ids, b * ClipTokenizer.MAX_LENGTH, ClipTokenizer.MAX_LENGTH);
            cache.sample(i, latentNoise, b * per, scale, x0, b * per);
        }
        int[] t = new int[n];
        for (int b = 0; b < n; b++) {
            t[b] = rng.nextInt(schedule.config().numTrainTimesteps());
        }
        float[] eps = randn(rng, n * per);
        int side = recipe.latentSize();
        Shape latentShape = new Shape(n, recipe.latentChannels(), side, side);
        NDArray target = Owned.floats(m, eps, latentShape);
        NDArray noisy = schedule.addNoise(Owned.floats(m, x0, latentShape), target, t);
        NDArray timesteps = Owned.ints(m, t, new Shape(t.length));
        NDArray tokens = Owned.ints(m, ids, new Shape(n, ClipTokenizer.MAX_LENGTH));
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray states = text.forward(tokens).lastHiddenState();
            loss = unet.forward(noisy, timesteps, states).sub(target).square().mean();
            gc.backward(loss);
        }
        return loss.getFloat();
    }

    private static float[] randn(TrainRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    /** The diffusers folder: fp16 weights, configs, tokenizer, DDIM scheduler, model index. */
    private void export(Path out, UNet2DConditionModel unet, CLIPTextModel text, AutoencoderKL vae) throws IOException {
        DiffusersFolder.writeComponent(out.resolve("unet"), "diffusion_pytorch_model.safetensors",
                DiffusersFolder.unetConfig(recipe), unet, DataType.FLOAT16);
        DiffusersFolder.writeComponent(out.resolve("vae"), "diffusion_pytorch_model.safetensors",
                DiffusersFolder.vaeConfig(recipe, vae.scalingFactor()), vae, DataType.FLOAT16);
        DiffusersFolder.writeComponent(out.resolve("text_encoder"), "model.safetensors",
                DiffusersFolder.textEncoderConfig(recipe), text, DataType.FLOAT16);
        DiffusersFolder.writeTokenizer(out.resolve("tokenizer"));
        DiffusersFolder.writeJson(out.resolve("scheduler").resolve("scheduler_config.json"), DiffusersFolder.schedulerConfig());
        DiffusersFolder.writeJson(out.resolve("model_index.json"), DiffusersFolder.modelIndex());
    }

    private ProgressListener stage(String name) {
        return p -> progress.onProgress(new Progress(p.step(), p.total(), p.timestep(), p.elapsedNanos(),
                name + " · " + p.message()));
    }
}
