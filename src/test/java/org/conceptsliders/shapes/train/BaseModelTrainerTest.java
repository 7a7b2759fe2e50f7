package org.conceptsliders.shapes.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.schedulers.DDPMScheduler;
import org.conceptsliders.runtime.text.CLIPTextConfig;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.text.ClipTokenizer;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.ParameterInit;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.unet.UNetConfig;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.runtime.vae.AutoencoderKLConfig;
import org.conceptsliders.shapes.ShapesWorld;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Needs {@code DNNL_MAX_CPU_ISA=SSE41} on machines where libtorch 2.7.1's oneDNN
 * convolution backward sometimes returns NaN input gradients (seen on AMD EPYC).
 */
class BaseModelTrainerTest {
    private static final BaseModelRecipe TINY = BaseModelRecipe.tiny();

    @TempDir
    static Path dir;

    /** The uninterrupted tiny run: work folder and exported model. */
    private static Path fullWork;
    private static Path fullModel;

    @BeforeAll
    static void trainUninterrupted() throws Exception {
        fullWork = dir.resolve("full");
        fullModel = dir.resolve("full-model");
        BaseModelTrainer.run(fullWork, fullModel, TINY, ProgressListener.NONE, CancelToken.none());
    }

    @Test
    void vaeLossFallsOnAFixedBatch() throws Exception {
        BaseModelTrainer trainer = new BaseModelTrainer(dir.resolve("fixed-vae"), TINY, null, ProgressListener.NONE, CancelToken.none());
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.read(
                    DiffusersFolder.writeJson(dir.resolve("fixed-vae.json"), DiffusersFolder.vaeConfig(TINY, 1.0))));
            ParameterInit.initialize(vae, m, DataType.FLOAT32, new TrainRandom(1));
            float[] losses = fit(vae, 30, (s) -> trainer.vaeStep(vae, 0, new TrainRandom(5), s));
            System.out.printf("VAE loss on one batch: %.4f -> %.4f%n", losses[0], losses[losses.length - 1]);
            assertTrue(losses[losses.length - 1] < 0.6 * losses[0], losses[0] + " -> " + losses[losses.length - 1]);
        }
    }

    @Test
    void unetLossFallsOnAFixedBatch() throws Exception {
        Path work = dir.resolve("fixed-unet");
        BaseModelTrainer trainer = new BaseModelTrainer(work, TINY, null, ProgressListener.NONE, CancelToken.none());
        DiffusersFolder.writeTokenizer(work.resolve("tokenizer"));
        ClipTokenizer tokenizer = ClipTokenizer.load(work.resolve("tokenizer"));
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(BaseModelTrainer.vaeDir(fullWork), m, Compute.cpu());
            LatentCache cache = LatentCache.loadOrBuild(work.resolve("latents.safetensors"), vae,
                    BaseModelTrainer.vaeDir(fullWork).resolve("diffusion_pytorch_model.safetensors"),
                    new ShapesWorld(TINY.imageSize(), TINY.imageSize(), TINY.world()), TINY);
            Models models = Models.fresh(work, m);
            Module both = new Module() {
                {
                    child("unet", models.unet);
                    child("text_encoder", models.text);
                }
            };
            DDPMScheduler schedule = new DDPMScheduler(DiffusersFolder.SCHEDULE);
            float[] losses = fit(both, 30, s -> trainer.unetStep(models.unet, models.text, tokenizer, schedule, cache,
                    vae.scalingFactor(), 0, new TrainRandom(5), s));
            System.out.printf("UNet loss on one batch: %.4f -> %.4f%n", losses[0], losses[losses.length - 1]);
            assertTrue(losses[losses.length - 1] < 0.6 * losses[0], losses[0] + " -> " + losses[losses.length - 1]);
        }
    }

    @Test
    void exportLoadsBackAndMatchesTheEmaWeightsOfTheCheckpoint() throws Exception {
        for (String f : new String[] {"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                "vae/config.json", "vae/diffusion_pytorch_model.safetensors", "text_encoder/config.json",
                "text_encoder/model.safetensors", "tokenizer/vocab.json", "tokenizer/merges.txt",
                "tokenizer/tokenizer_config.json", "tokenizer/special_tokens_map.json", "scheduler/scheduler_config.json"}) {
            assertTrue(Files.isRegularFile(fullModel.resolve(f)), f);
        }
        try (SafeTensors st = SafeTensors.open(fullModel.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            assertEquals("F16", st.info("conv_in.weight").dtype().name());
        }
        double scale = Config.read(fullModel.resolve("vae/config.json")).getDouble("scaling_factor", Double.NaN);
        assertTrue(scale > 0 && Double.isFinite(scale), "scaling_factor " + scale);
        ClipTokenizer tokenizer = ClipTokenizer.load(fullModel.resolve("tokenizer"));
        int[] ids = tokenizer.encode("a large red circle on a white background");
        try (NDManager m = NDManager.newBaseManager(); NoGrad ignored = NoGrad.enter()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(fullModel.resolve("unet"), m, Compute.cpu());
            CLIPTextModel text = CLIPTextModel.load(fullModel.resolve("text_encoder"), m, Compute.cpu());
            AutoencoderKL vae = AutoencoderKL.load(fullModel.resolve("vae"), m, Compute.cpu());
            assertEquals((float) scale, vae.scalingFactor());

            Models ema = Models.fresh(dir.resolve("ema"), m);
            try (SafeTensors ckpt = SafeTensors.open(fullWork.resolve("unet.ckpt.safetensors"))) {
                for (Map.Entry<String, Module> e : Map.<String, Module>of("unet.", ema.unet, "text_encoder.", ema.text).entrySet()) {
                    for (var p : e.getValue().namedParameters().entrySet()) {
                        p.getValue().set(ckpt.load("ema." + e.getKey() + p.getKey(), m));
                    }
                }
            }
            NDArray tokens = m.create(ids, new Shape(1, ids.length));
            int side = TINY.latentSize();
            NDArray latent = new TrainRandom(3).randn(m, new Shape(1, TINY.latentChannels(), side, side));
            NDArray t = m.create(new int[] {500});
            NDArray fromFile = unet.forward(latent, t, text.forward(tokens).lastHiddenState());
            NDArray inMemory = ema.unet.forward(latent, t, ema.text.forward(tokens).lastHiddenState());
            double err = Reference.assertClose(fromFile, inMemory, 2e-3, "exported UNet(text) vs checkpoint EMA");
            System.out.printf("export vs checkpoint EMA, UNet output relative L2 %.2e (fp16 rounding)%n", err);
        }
        long bytes;
        try (Stream<Path> files = Files.walk(fullModel)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes < 25L << 20, bytes + " bytes");
    }

    @Test
    void resumedRunIsBitIdenticalToUninterruptedRun() throws Exception {
        Path work = dir.resolve("resumed");
        Path model = dir.resolve("resumed-model");
        for (String stage : new String[] {"vae", "unet"}) {
            CancelToken cancel = new CancelToken();
            assertThrows(CancellationException.class, () -> BaseModelTrainer.run(work, model, TINY, p -> {
                if (p.message().startsWith(stage + " · ") && p.step() == 4) {
                    cancel.cancel();
                }
            }, cancel));
        }
        BaseModelTrainer.run(work, model, TINY, ProgressListener.NONE, CancelToken.none());
        assertSameTensors(fullWork.resolve("vae/diffusion_pytorch_model.safetensors"),
                work.resolve("vae/diffusion_pytorch_model.safetensors"));
        assertSameTensors(fullWork.resolve("unet.ckpt.safetensors"), work.resolve("unet.ckpt.safetensors"));
        assertSameTensors(fullModel.resolve("unet/diffusion_pytorch_model.safetensors"),
                model.resolve("unet/diffusion_pytorch_model.safetensors"));
        assertEquals(Files.readAllLines(fullWork.resolve("unet.loss.csv")).size(),
                Files.readAllLines(work.resolve("unet.loss.csv")).size());
    }

    @Test
    void resumeWithAnotherRecipeIsRefused() throws Exception {
        Path work = dir.resolve("other");
        copyTree(fullWork, work);
        BaseModelRecipe other = with(TINY, "unetLr", TINY.unetLr() / 2);
        assertNotEquals(TINY.unetIdentity(), other.unetIdentity());
        assertThrows(IllegalArgumentException.class,
                () -> BaseModelTrainer.run(work, dir.resolve("other-model"), other, ProgressListener.NONE, CancelToken.none()));
    }

    @Test
    void fineTuningStartsFromTheModelAndKeepsItsVae() throws Exception {
        // at rate 0 the fine-tuned export can only be the starting model itself
        Path model = dir.resolve("tuned-model");
        BaseModelTrainer.run(dir.resolve("tuned"), model, with(TINY, "unetLr", 0.0), fullModel, ProgressListener.NONE,
                CancelToken.none());
        for (String weights : new String[] {"vae/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors"}) {
            assertSameTensors(fullModel.resolve(weights), model.resolve(weights));
        }
        assertEquals(Config.read(fullModel.resolve("vae/config.json")).getDouble("scaling_factor", 0),
                Config.read(model.resolve("vae/config.json")).getDouble("scaling_factor", 1));
    }

    @Test
    void fineTuningAModelOfAnotherArchitectureNamesTheFile() throws Exception {
        BaseModelRecipe wider = with(TINY, "unetChannels", new int[] {16, 16});
        IOException e = assertThrows(IOException.class, () -> BaseModelTrainer.run(dir.resolve("wider"),
                dir.resolve("wider-model"), wider, fullModel, ProgressListener.NONE, CancelToken.none()));
        assertTrue(e.getMessage().contains(fullModel.resolve("unet").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not fit UNet2DConditionModel"), e.getMessage());
    }

    @Test
    void theDocumentedRecipesAreTheDefaults() throws Exception {
        // docs/ shows what the shipped model was built with; the defaults rebuild it
        assertEquals(BaseModelRecipe.defaults().toJson(), BaseModelRecipe.read(Path.of("docs/embedded-model-recipe.json")).toJson());
        assertEquals(DecoderRecipe.defaults().toJson(), DecoderRecipe.read(Path.of("docs/embedded-model-decoder-recipe.json")).toJson());
        // the second stage: the same networks and decoder tuning, on the gradient world
        BaseModelRecipe fineTune = BaseModelRecipe.read(Path.of("docs/embedded-model-finetune-recipe.json"));
        assertEquals(ShapesWorld.Version.GRADIENT, fineTune.world());
        for (String field : new String[] {"world", "unetSteps", "unetLr", "unetDecaySteps", "warmupSteps"}) {
            fineTune = with(fineTune, field, RecipeJson.JSON.valueToTree(BaseModelRecipe.defaults()).get(field));
        }
        assertEquals(BaseModelRecipe.defaults().toJson(), fineTune.toJson());
        DecoderRecipe gradientDecoder = DecoderRecipe.read(Path.of("docs/embedded-model-decoder-gradient-recipe.json"));
        assertEquals(ShapesWorld.Version.GRADIENT, gradientDecoder.world());
        assertEquals(DecoderRecipe.defaults().toJson().replace("FLAT", "GRADIENT"), gradientDecoder.toJson());
    }

    @Test
    void recipeRoundTripsThroughJson() throws Exception {
        BaseModelRecipe r = BaseModelRecipe.fromJson(BaseModelRecipe.defaults().toJson());
        assertEquals(BaseModelRecipe.defaults().toJson(), r.toJson());
        assertEquals(8, r.latentSize());
        // a recipe written before vaeEdgeWeight and vaeMseWeight existed still reads, without those terms
        String older = BaseModelRecipe.defaults().toJson().replaceAll("\\s*\"vae(Edge|Mse)(Weight|FromStep)\" : [0-9.]+,", "");
        assertFalse(older.contains("vaeEdge") || older.contains("vaeMse"));
        assertEquals(0.0, BaseModelRecipe.fromJson(older).vaeEdgeWeight());
        assertEquals(0, BaseModelRecipe.fromJson(older).vaeEdgeFromStep());
        assertEquals(0.0, BaseModelRecipe.fromJson(older).vaeMseWeight());
        assertThrows(Exception.class, () -> BaseModelRecipe.fromJson(older.replace("\"klWeight\"",
                "\"vaeEdgeWeight\" : -1.0, \"klWeight\"")));
        assertThrows(Exception.class, () -> BaseModelRecipe.fromJson(older.replace("\"klWeight\"",
                "\"vaeMseWeight\" : -1.0, \"klWeight\"")));
    }

    /** The tiny recipe's UNet and text encoder, freshly initialised. */
    private record Models(UNet2DConditionModel unet, CLIPTextModel text) {
        static Models fresh(Path dir, NDManager m) throws IOException {
            UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(
                    DiffusersFolder.writeJson(dir.resolve("unet.json"), DiffusersFolder.unetConfig(TINY))));
            CLIPTextModel text = new CLIPTextModel(CLIPTextConfig.read(Config.read(
                    DiffusersFolder.writeJson(dir.resolve("text.json"), DiffusersFolder.textEncoderConfig(TINY)))), Compute.cpu());
            ParameterInit.initialize(unet, m, DataType.FLOAT32, new TrainRandom(1));
            ParameterInit.initialize(text, m, DataType.FLOAT32, new TrainRandom(2));
            return new Models(unet, text);
        }
    }

    @FunctionalInterface
    private interface Step {
        float run(NDManager m) throws Exception;
    }

    /** Repeats one step on the same batch with AdamW; returns the losses. */
    private static float[] fit(Module model, int steps, Step step) throws Exception {
        float[] losses = new float[steps];
        try (NDManager m = NDManager.newBaseManager();
             TrainableSet params = TrainableSet.select(model, n -> true);
             AdamW adam = AdamW.builder().setLearningRate(LrSchedule.constant(3e-3)).build(params)) {
            for (int i = 0; i < steps; i++) {
                try (NDManager s = m.newSubManager()) {
                    losses[i] = step.run(s);
                }
                adam.step();
            }
        }
        return losses;
    }

    /** The recipe with one field changed. */
    private static BaseModelRecipe with(BaseModelRecipe r, String field, Object value) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode tree = RecipeJson.JSON.valueToTree(r);
        tree.set(field, RecipeJson.JSON.valueToTree(value));
        return RecipeJson.JSON.treeToValue(tree, BaseModelRecipe.class);
    }

    private static void assertSameTensors(Path expected, Path actual) throws IOException {
        try (SafeTensors a = SafeTensors.open(expected); SafeTensors b = SafeTensors.open(actual)) {
            assertEquals(a.keys(), b.keys());
            for (String k : a.keys()) {
                assertEquals(a.bytes(k), b.bytes(k), k);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
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
