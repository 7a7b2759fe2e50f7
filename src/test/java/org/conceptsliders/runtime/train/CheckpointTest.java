package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.io.AtomicFiles;
import org.conceptsliders.runtime.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsStateAndFailedWriteKeepsThePreviousFile() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp mlp = new TinyMlp();
            ParameterInit.initialize(mlp, m, DataType.FLOAT32, new TrainRandom(1));
            TrainableSet set = TrainableSet.select(mlp, n -> true);
            TrainRandom rng = new TrainRandom(7);
            try (AdamW opt = AdamW.builder().setLearningRate(LrSchedule.constant(0.01)).build(set);
                 Ema ema = new Ema(set, 0.99, true)) {
                try (NDManager s = m.newSubManager()) {
                    mlp.step(rng, s);
                }
                opt.step();
                ema.update();
                Checkpoint ok = new Checkpoint(opt, ema, rng, TensorSink.SAFETENSORS);
                ok.save(file, new Checkpoint.Info(1, 2.5, "{\"a\":1}"));
                byte[] good = Files.readAllBytes(file);
                float[] w = mlp.fc1.weight().value().toFloatArray();
                long state = rng.state();

                try (SafeTensors st = SafeTensors.open(file)) {
                    assertEquals("1", st.metadata().get("step"));
                    assertEquals("1", st.metadata().get("adamw.step"));
                    assertTrue(st.contains("params.fc1.weight") && st.contains("adamw.exp_avg_sq.fc2.bias")
                            && st.contains("ema.fc2.weight"), st.keys().toString());
                }

                // a sink that keeps the TensorSink contract (atomic) and fails half-way
                Checkpoint failing = new Checkpoint(opt, ema, rng, (f, tensors, meta) -> AtomicFiles.write(f, tmp -> {
                    Files.write(tmp, new byte[] {1, 2, 3});
                    throw new IOException("disk full");
                }));
                rng.nextLong();
                assertThrows(IOException.class, () -> failing.save(file, new Checkpoint.Info(2, 3, null)));
                assertArrayEquals(good, Files.readAllBytes(file), "previous checkpoint intact");
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(1, files.count(), "no temporary file left behind");
                }

                try (NDManager s = m.newSubManager()) {
                    mlp.step(rng, s);
                }
                opt.step();
                Checkpoint.Info info = ok.restore(file);
                assertEquals(new Checkpoint.Info(1, 2.5, "{\"a\":1}"), info);
                assertArrayEquals(w, mlp.fc1.weight().value().toFloatArray(), 0f);
                assertEquals(state, rng.state());
                assertEquals(1, opt.stepCount());
                assertEquals(1, ema.updates());
            }
        }
    }

    @Test
    void checkpointOfAnotherModelIsRefused() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp mlp = new TinyMlp();
            ParameterInit.initialize(mlp, m, DataType.FLOAT32, new TrainRandom(1));
            TrainableSet all = TrainableSet.select(mlp, n -> true);
            try (AdamW opt = AdamW.builder().setLearningRate(LrSchedule.constant(0.01)).build(all)) {
                new Checkpoint(opt, null, new TrainRandom(1), TensorSink.SAFETENSORS).save(file, new Checkpoint.Info(0, 0, null));
            }
            TrainableSet some = TrainableSet.select(mlp, n -> n.startsWith("fc2"));
            try (AdamW opt = AdamW.builder().setLearningRate(LrSchedule.constant(0.01)).build(some)) {
                IOException e = assertThrows(IOException.class,
                        () -> new Checkpoint(opt, null, new TrainRandom(1), TensorSink.SAFETENSORS).restore(file));
                assertTrue(e.getMessage().contains("fc1"), e.getMessage());
            }
        }
    }
}
