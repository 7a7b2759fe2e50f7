package org.conceptsliders.sliders.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.pipeline.StableDiffusionPipeline;
import org.conceptsliders.runtime.schedulers.DDPMScheduler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.sliders.Slider;
import org.conceptsliders.sliders.SliderMetadata;
import org.conceptsliders.sliders.SliderSet;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both trainers on the model_sd1 fixture at 64x64 pixels (8x8 latents), a few steps each. */
class SliderTrainersTest {
    static StableDiffusionModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusionModel.load(Reference.path("model_sd1"), Compute.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static TextSliderConfig textConfig(int iterations) {
        PromptSet set = new PromptSet("a person", "a person, old", "a person, young", "a person",
                PromptSet.Action.ENHANCE, 2.0, 64, false, 1);
        return TextSliderConfig.of(List.of(set)).withIterations(iterations).withMaxDenoisingSteps(4)
                .withLearningRate(1e-3);
    }

    @Test
    void targetIsThePapersFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainRandom r = new TrainRandom(1);
            NDArray neu = r.randn(m, new Shape(1, 4, 2, 2));
            NDArray pos = r.randn(m, new Shape(1, 4, 2, 2));
            NDArray neg = r.randn(m, new Shape(1, 4, 2, 2));
            float[] n = neu.toFloatArray();
            float[] p = pos.toFloatArray();
            float[] q = neg.toFloatArray();
            float[] enhance = TextSliderTrainer.target(neu, pos, neg, +4).toFloatArray();
            float[] erase = TextSliderTrainer.target(neu, pos, neg, -4).toFloatArray();
            for (int i = 0; i < n.length; i++) {
                assertEquals(n[i] + 4 * (p[i] - q[i]), enhance[i], 1e-5);
                assertEquals(n[i] - 4 * (p[i] - q[i]), erase[i], 1e-5);
            }
        }
    }

    /** The text objective on one fixed (x_k, t, target) batch: 50 AdamW steps on the slider lower its loss. */
    @Test
    void lossOfAFixedBatchFalls() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SliderNetwork net = SliderNetwork.attach(model.unet(), TrainMethod.NOXATTN, true, 4, 1f, new TrainRandom(0))) {
            Conditioning cond = new Conditioning(model, m);
            TrainRandom r = new TrainRandom(2);
            NDArray xk = r.randn(m, new Shape(1, 4, 8, 8));
            NDArray target;
            List<Conditioning.Cond> tgt = List.of(cond.get("a person"));
            try (NoGrad ignored = NoGrad.enter()) {
                net.setMultiplier(0);
                NDArray e = cond.eps(xk.concat(xk, 0).concat(xk, 0), 500,
                        List.of(cond.get("a person, old"), cond.get("a person"), cond.get("a person, young")), 1);
                target = TextSliderTrainer.target(TextSliderTrainer.rows(e, 1, 1), TextSliderTrainer.rows(e, 0, 1),
                        TextSliderTrainer.rows(e, 2, 1), 4.0);
                net.setMultiplier(1);
            }
            float first = Float.NaN;
            float last = Float.NaN;
            try (TrainableSet params = TrainableSet.of(net.namedParameters());
                 AdamW adam = AdamW.builder().setLearningRate(LrSchedule.constant(1e-3)).build(params)) {
                for (int i = 0; i < 50; i++) {
                    try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        xk.tempAttach(step);
                        NDArray loss = TextSliderTrainer.mse(cond.eps(xk, 500, tgt, 1), target);
                        gc.backward(loss);
                        last = loss.getFloat();
                        first = i == 0 ? last : first;
                    }
                    adam.step();
                }
            }
            System.out.println("fixed batch loss: " + first + " -> " + last);
            assertTrue(last < 0.5 * first, first + " -> " + last);
        }
    }

    /** Training changes only the slider: every base weight is bit-identical afterwards. */
    @Test
    void textTrainingLeavesBaseWeightsAndWritesALoadableSlider() throws Exception {
        byte[] before = digest();
        Path out = dir.resolve("age.safetensors");
        TrainResult r = new TextSliderTrainer(model).train(textConfig(4), out,
                TrainingOptions.defaults().withProbe(2, 2.0, 2, dir.resolve("probe.csv"), 0, 1e-3, null));
        assertArrayEquals(before, digest(), "base weights changed");
        assertEquals(4, r.steps());
        assertTrue(Double.isFinite(r.lastChange()));
        List<String> probe = Files.readAllLines(dir.resolve("probe.csv"));
        assertEquals(List.of("step,change"), probe.subList(0, 1));
        assertEquals(3, probe.size());
        assertUnetChanges(out);
        try (NDManager m = NDManager.newBaseManager(); Slider s = Slider.load(out, m)) {
            assertEquals("noxattn", s.metadata().get(SliderMetadata.TRAIN_METHOD));
            assertTrue(s.metadata().get(SliderMetadata.TRAINING_CONFIG).contains("a person, old"));
            assertEquals(4, s.rank());
        }
    }

    /** A run cancelled at step 3 and resumed writes the same slider as an uninterrupted run with the same seed. */
    @Test
    void resumedRunEqualsUninterrupted() throws Exception {
        TextSliderConfig c = textConfig(6).withAnchors(List.of("a car"), 0.5, true);
        Path whole = dir.resolve("whole.safetensors");
        new TextSliderTrainer(model).train(c, whole, TrainingOptions.defaults().withSeed(7));
        Path ckpt = dir.resolve("run.ckpt");
        Path parts = dir.resolve("parts.safetensors");
        CancelToken cancel = new CancelToken();
        TrainingOptions o = TrainingOptions.defaults().withSeed(7).withCheckpoint(ckpt, 2)
                .withProgress(p -> {
                    if (p.step() == 3) {
                        cancel.cancel();
                    }
                }, cancel);
        assertThrows(CancellationException.class, () -> new TextSliderTrainer(model).train(c, parts, o));
        assertTrue(Files.exists(ckpt));
        assertFalse(Files.exists(parts));
        new TextSliderTrainer(model).train(c, parts, o.withProgress(null, null));
        assertFalse(Files.exists(ckpt), "the checkpoint is removed once the slider is written");
        assertSameTensors(whole, parts);
    }

    @Test
    void pairTrainingUsesOneNoiseAndWritesASlider() throws Exception {
        Path low = Files.createDirectories(dir.resolve("low"));
        Path high = Files.createDirectories(dir.resolve("high"));
        TrainConfigTest.write(low.resolve("a.png"), 80, 64, "png");
        TrainConfigTest.write(high.resolve("a.JPG"), 80, 64, "jpg");
        List<ImagePairs.Pair> pairs = ImagePairs.fromFolders(low, high);
        byte[] before = digest();
        Path out = dir.resolve("pairs.safetensors");
        PairSliderConfig c = PairSliderConfig.of(pairs, "").withIterations(3).withLearningRate(1e-3).withSize(64);
        PairSliderTrainer trainer = new PairSliderTrainer(model);
        assertEquals(128, trainer.trainingSize(0), "SD 1.x asks for 256, capped at the fixture's native 16 * 8");
        trainer.train(c, out, TrainingOptions.defaults().withSeed(3));
        assertArrayEquals(before, digest(), "base weights changed");
        assertUnetChanges(out);

        DDPMScheduler ddpm = new DDPMScheduler(model.scheduler(SchedulerKind.DDIM).config());
        try (NDManager m = NDManager.newBaseManager()) {
            TrainRandom r = new TrainRandom(9);
            NDArray zLow = r.randn(m, new Shape(1, 4, 8, 8));
            NDArray zHigh = r.randn(m, new Shape(1, 4, 8, 8));
            PairSliderTrainer.NoisedPair np = PairSliderTrainer.noise(ddpm, zLow, zHigh, new TrainRandom(4), m);
            double a = model.scheduler(SchedulerKind.DDIM).config().alphasCumprod()[np.timestep()];
            NDArray fromLow = np.low().sub(zLow.mul((float) Math.sqrt(a))).div((float) Math.sqrt(1 - a));
            NDArray fromHigh = np.high().sub(zHigh.mul((float) Math.sqrt(a))).div((float) Math.sqrt(1 - a));
            assertTrue(fromLow.sub(np.noise()).abs().max().getFloat() < 1e-3);
            assertTrue(fromHigh.sub(np.noise()).abs().max().getFloat() < 1e-3);
        }
    }

    @Test
    void theSymmetryTermShrinksWhatBothSignsDoAlike() throws Exception {
        Path low = Files.createDirectories(dir.resolve("low"));
        Path high = Files.createDirectories(dir.resolve("high"));
        TrainConfigTest.write(low.resolve("a.png"), 64, 64, "png");
        TrainConfigTest.write(high.resolve("a.png"), 64, 64, "png", 0x30FF30);
        PairSliderConfig c = PairSliderConfig.of(ImagePairs.fromFolders(low, high), "").withIterations(20)
                .withLearningRate(5e-3).withSize(64).withMethod(TrainMethod.FULL, true);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> c.withSymmetry(-1));
        assertTrue(bad.getMessage().startsWith("symmetry:"), bad.getMessage());
        double[] even = new double[2];
        double[] weights = {0, 1000};
        for (int i = 0; i < weights.length; i++) {
            Path out = dir.resolve("w" + i + ".safetensors");
            new PairSliderTrainer(model).train(c.withSymmetry(weights[i]), out, TrainingOptions.defaults().withSeed(3));
            even[i] = evenShare(out);
        }
        System.out.printf("even part / odd part at scale +-2: %.4f (paper's objective), %.4f (symmetry 1000)%n",
                even[0], even[1]);
        assertTrue(even[1] < even[0] / 2, "even share " + even[1] + " with the term, " + even[0] + " without");
    }

    /** |eps_+2 + eps_-2 - 2 eps_0| / |eps_+2 - eps_-2| on random latents at t = 500, prompt "" as trained. */
    private static double evenShare(Path slider) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); NoGrad ignored = NoGrad.enter()) {
            TrainRandom r = new TrainRandom(5);
            NDArray c = new StableDiffusionPipeline(model).encode("", "", 1, 64, 64, m).hidden();
            NDArray x = r.randn(m, new Shape(c.getShape().get(0), 4, 8, 8));
            NDArray t = m.create(new float[] {500}).repeat(0, c.getShape().get(0));
            NDArray off = model.unet().forward(x, t, c);
            NDArray[] on = new NDArray[2];
            for (int k = 0; k < 2; k++) {
                try (SliderSet set = SliderSet.attach(model.unet(), null, null,
                        List.of(new SliderSpec(slider, k == 0 ? 2.0 : -2.0)), m)) {
                    on[k] = model.unet().forward(x, t, c);
                }
            }
            NDArray evenPart = on[0].add(on[1]).sub(Owned.mul(off, 2f));
            NDArray oddPart = on[0].sub(on[1]);
            return Math.sqrt(evenPart.square().sum().getFloat() / oddPart.square().sum().getFloat());
        }
    }

    private static void assertUnetChanges(Path slider) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); NoGrad ignored = NoGrad.enter()) {
            TrainRandom r = new TrainRandom(1);
            NDArray x = r.randn(m, new Shape(1, 4, 8, 8));
            NDArray c = r.randn(m, new Shape(1, 77, model.unet().config().crossAttentionDim(0)));
            NDArray t = m.create(new float[] {300});
            NDArray off = model.unet().forward(x, t, c);
            NDArray on;
            try (SliderSet set = SliderSet.attach(model.unet(), null, null, List.of(new SliderSpec(slider, 3.0)), m)) {
                on = model.unet().forward(x, t, c);
            }
            double change = on.sub(off).abs().max().getFloat();
            assertTrue(change > 1e-5, "the slider does not change the UNet output: " + change);
        }
    }

    private static void assertSameTensors(Path a, Path b) throws Exception {
        try (SafeTensors x = SafeTensors.open(a); SafeTensors y = SafeTensors.open(b); NDManager m = NDManager.newBaseManager()) {
            assertEquals(x.keys(), y.keys());
            for (String k : x.keys()) {
                assertArrayEquals(x.load(k, m).toByteArray(), y.load(k, m).toByteArray(), k);
            }
        }
    }

    private static byte[] digest() throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Parameter p : model.unet().namedParameters().values()) {
            md.update(p.value().toByteArray());
        }
        for (Parameter p : model.textEncoder().namedParameters().values()) {
            md.update(p.value().toByteArray());
        }
        return md.digest();
    }
}
