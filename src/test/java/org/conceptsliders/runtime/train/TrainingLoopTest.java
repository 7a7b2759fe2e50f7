package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingLoopTest {
    private static final int STEPS = 40;
    private static final String CONFIG = "{\"lr\":0.01}";

    @TempDir
    Path dir;

    /** A fresh model initialised from {@code initSeed}, its optimizer and EMA, trained by {@code loop}. */
    private static final class Run implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final TinyMlp mlp = new TinyMlp();
        final TrainableSet params;
        final AdamW adam;
        final Ema ema;
        final TrainRandom rng;
        final AtomicInteger calls = new AtomicInteger();
        final List<Float> losses = new ArrayList<>();

        Run(long initSeed, long dataSeed) {
            this(initSeed, dataSeed, 0.01);
        }

        Run(long initSeed, long dataSeed, double lr) {
            ParameterInit.initialize(mlp, manager, DataType.FLOAT32, new TrainRandom(initSeed));
            params = TrainableSet.select(mlp, n -> true);
            adam = AdamW.builder().setLearningRate(LrSchedule.cosineWithWarmup(lr, 5, STEPS)).optMaxGradNorm(1.0).build(params);
            ema = new Ema(params, 0.9, true);
            rng = new TrainRandom(dataSeed);
        }

        TrainingLoop.Builder loop() {
            return TrainingLoop.builder().setSteps(STEPS).setOptimizer(adam).optEma(ema).setRandom(rng).setManager(manager)
                    .optConfig(CONFIG).setStep((i, r, m) -> {
                        calls.incrementAndGet();
                        float l = mlp.step(r, m);
                        losses.add(l);
                        return l;
                    });
        }

        Map<String, float[]> weights() {
            Map<String, float[]> w = new LinkedHashMap<>();
            mlp.namedParameters().forEach((n, p) -> w.put(n, p.value().toFloatArray()));
            return w;
        }

        @Override
        public void close() {
            ema.close();
            adam.close();
            manager.close();
        }
    }

    @Test
    void lossFallsAndLogIsWritten() throws Exception {
        Path csv = dir.resolve("loss.csv");
        List<Progress> seen = new ArrayList<>();
        try (Run run = new Run(1, 2, 0.05)) {
            run.loop().optLossLog(csv).optProgress(seen::add).build().run();
            float first = (run.losses.get(0) + run.losses.get(1) + run.losses.get(2)) / 3;
            float last = (run.losses.get(37) + run.losses.get(38) + run.losses.get(39)) / 3;
            System.out.printf("TinyMlp loss over 40 steps: %.4f -> %.4f%n", first, last);
            assertTrue(last < 0.3 * first, "loss " + first + " -> " + last);
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,loss,lr,seconds", lines.get(0));
        assertEquals(STEPS + 1, lines.size());
        assertTrue(lines.get(1).startsWith("1,"));
        assertEquals(STEPS, seen.size());
        assertEquals(STEPS, seen.get(STEPS - 1).step());
        assertTrue(Double.isNaN(seen.get(0).timestep()));
        assertTrue(seen.get(0).message().matches("loss \\d+\\.\\d{4} · [\\d.]+ it/s"), seen.get(0).message());
    }

    @Test
    void resumedRunIsBitIdenticalToUninterruptedRun() throws Exception {
        Map<String, float[]> expected;
        Map<String, float[]> expectedEma;
        try (Run full = new Run(1, 2)) {
            full.loop().build().run();
            expected = full.weights();
            try (Ema.Swap s = full.ema.swapIn()) {
                expectedEma = full.weights();
            }
        }
        Path ckpt = dir.resolve("run.safetensors");
        Path csv = dir.resolve("loss.csv");
        CancelToken cancel = new CancelToken();
        try (Run first = new Run(1, 2)) {
            TrainingLoop loop = first.loop().optCheckpoint(ckpt, 5).optLossLog(csv).optCancel(cancel)
                    .optProgress(p -> {
                        if (p.step() == 17) {
                            cancel.cancel();
                        }
                    }).build();
            assertThrows(CancellationException.class, loop::run);
            assertEquals(17, first.calls.get(), "cancel stops before the next step");
        }
        // different initial weights and data seed: everything must come from the checkpoint
        try (Run second = new Run(99, 98)) {
            TrainingLoop.Result r = second.loop().optCheckpoint(ckpt, 5).optLossLog(csv).build().run();
            assertEquals(STEPS - 17, second.calls.get());
            assertEquals(STEPS, r.step());
            Map<String, float[]> got = second.weights();
            expected.forEach((n, w) -> assertArrayEquals(w, got.get(n), 0f, n));
            try (Ema.Swap s = second.ema.swapIn()) {
                Map<String, float[]> gotEma = second.weights();
                expectedEma.forEach((n, w) -> assertArrayEquals(w, gotEma.get(n), 0f, "ema " + n));
            }
            assertArrayEquals(expected.get("fc1.weight"), second.weights().get("fc1.weight"), 0f, "swap-out restores");
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(STEPS + 1, lines.size(), "log rows 1..40 once each");
        for (int i = 1; i <= STEPS; i++) {
            assertTrue(lines.get(i).startsWith(i + ","), lines.get(i));
        }
    }

    @Test
    void resumeWithOtherSettingsIsRefused() throws Exception {
        Path ckpt = dir.resolve("run.safetensors");
        try (Run first = new Run(1, 2)) {
            first.loop().optCheckpoint(ckpt, 0).build().run();
        }
        try (Run second = new Run(1, 2)) {
            Exception e = assertThrows(IllegalArgumentException.class,
                    () -> second.loop().optCheckpoint(ckpt, 0).optConfig("{\"lr\":1}").build().run());
            assertTrue(e.getMessage().contains("another configuration"), e.getMessage());
        }
    }

    @Test
    void cancelFreesEveryIterationArray() throws Exception {
        try (Run run = new Run(1, 2)) {
            int before = run.manager.getManagedArrays().size();
            CancelToken cancel = new CancelToken();
            TrainingLoop loop = run.loop().optCancel(cancel).optProgress(p -> {
                if (p.step() == 3) {
                    cancel.cancel();
                }
            }).build();
            assertThrows(CancellationException.class, loop::run);
            assertEquals(3, run.calls.get());
            assertEquals(before, run.manager.getManagedArrays().size(), "arrays left in the loop's and the weights' manager");
            for (Parameter p : run.params.parameters().values()) {
                assertFalse(p.value().isReleased());
            }
        }
    }

    @Test
    void aNonFiniteStepIsSkippedAndALastingOneStopsTheRun() throws Exception {
        try (Run run = new Run(1, 2)) {
            TrainingLoop loop = run.loop().setStep((i, r, m) -> i == 2 ? Float.NaN : run.mlp.step(r, m)).build();
            loop.run();
            assertEquals(1, run.adam.skippedSteps());
            for (Parameter p : run.params.parameters().values()) {
                float[] v = p.value().toFloatArray();
                for (float x : v) {
                    assertTrue(Float.isFinite(x), "weights stay finite");
                }
            }
        }
        try (Run run = new Run(1, 2)) {
            TrainingLoop loop = run.loop().setStep((i, r, m) -> i >= 2 ? Float.NaN : run.mlp.step(r, m)).build();
            ArithmeticException e = assertThrows(ArithmeticException.class, loop::run);
            assertTrue(e.getMessage().contains("in a row"), e.getMessage());
        }
    }
}
