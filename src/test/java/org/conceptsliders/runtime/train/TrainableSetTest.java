package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainableSetTest {

    @Test
    void onlySelectedParametersChangeAndFrozenOnesStayBitIdentical() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp mlp = new TinyMlp();
            ParameterInit.initialize(mlp, m, DataType.FLOAT32, new TrainRandom(5));
            Map<String, byte[]> before = new LinkedHashMap<>();
            mlp.namedParameters().forEach((n, p) -> before.put(n, p.value().toByteArray()));
            TrainableSet set = TrainableSet.select(mlp, n -> n.startsWith("fc2."));
            assertEquals(java.util.List.of("fc2.weight", "fc2.bias"), java.util.List.copyOf(set.parameters().keySet()));
            assertEquals(17, set.elementCount());
            assertFalse(mlp.fc1.weight().value().hasGradient());
            TrainRandom rng = new TrainRandom(6);
            try (AdamW opt = AdamW.builder().setLearningRate(LrSchedule.constant(0.05)).build(set)) {
                for (int i = 0; i < 5; i++) {
                    try (NDManager step = m.newSubManager()) {
                        mlp.step(rng, step);
                    }
                    opt.step();
                }
            }
            mlp.namedParameters().forEach((n, p) -> {
                boolean same = java.util.Arrays.equals(before.get(n), p.value().toByteArray());
                assertEquals(!n.startsWith("fc2."), same, n + (same ? " did not change" : " changed"));
            });
            set.close();
            assertFalse(mlp.fc2.weight().value().hasGradient(), "close() freezes the set again");
        }
    }

    @Test
    void releasedGradientsAreGoneAndTheNextBackwardGivesWhatZeroedOnesGive() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp zeroed = new TinyMlp();
            TinyMlp released = new TinyMlp();
            ParameterInit.initialize(zeroed, m, DataType.FLOAT32, new TrainRandom(5));
            ParameterInit.initialize(released, m, DataType.FLOAT32, new TrainRandom(5));
            TrainableSet zeroSet = TrainableSet.select(zeroed, n -> true);
            TrainableSet releaseSet = TrainableSet.select(released, n -> true);
            TrainRandom a = new TrainRandom(6);
            TrainRandom b = new TrainRandom(6);
            for (int i = 0; i < 2; i++) {
                try (NDManager step = m.newSubManager()) {
                    zeroed.step(a, step);
                    released.step(b, step);
                }
                zeroSet.zeroGradients();
                byte[] weight = released.fc1.weight().value().toByteArray();
                releaseSet.releaseGradients();
                assertArrayEquals(weight, released.fc1.weight().value().toByteArray(), "the weights keep their values");
                assertNull(JniUtils.getGradient((PtNDArray) released.fc1.weight().value()),
                        "no gradient is held after release");
                assertTrue(released.fc1.weight().value().hasGradient(), "the weight still requires a gradient");
            }
            try (NDManager step = m.newSubManager()) {
                zeroed.step(a, step);
                released.step(b, step);
            }
            zeroed.namedParameters().forEach((n, p) -> assertArrayEquals(TrainableSet.gradient(p).toFloatArray(),
                    TrainableSet.gradient(released.namedParameters().get(n)).toFloatArray(), n));
            zeroSet.close();
            releaseSet.close();
        }
    }

    @Test
    void emptySelectionIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp mlp = new TinyMlp();
            ParameterInit.initialize(mlp, m, DataType.FLOAT32, new TrainRandom(5));
            assertThrows(IllegalArgumentException.class, () -> TrainableSet.select(mlp, n -> false));
            TrainableSet lora = TrainableSet.of(Map.of("fc1.weight", mlp.fc1.weight()));
            assertTrue(mlp.fc1.weight().value().hasGradient());
            lora.close();
        }
    }
}
