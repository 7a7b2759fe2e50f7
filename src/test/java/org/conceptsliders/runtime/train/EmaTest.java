package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.Linear;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EmaTest {

    @Test
    void decayFollowsDiffusersEmaModel() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(1, 1, false);
            ParameterInit.initialize(lin, m, DataType.FLOAT32, new TrainRandom(1));
            TrainableSet set = TrainableSet.select(lin, n -> true);
            try (Ema plain = new Ema(set, 0.999, false); Ema warm = new Ema(set, 0.5, true)) {
                assertEquals(0.0, plain.decay(1));
                assertEquals(2.0 / 11.0, plain.decay(2), 1e-15);
                assertEquals(0.999, plain.decay(1_000_000));
                assertEquals(1 - Math.pow(2, -2.0 / 3), warm.decay(2), 1e-15);
                assertEquals(0.5, warm.decay(100));
            }
        }
    }

    @Test
    void averagesAndSwapsBitExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(1, 2, false);
            lin.weight().set(m.create(new float[] {1, 2}, lin.weight().shape()));
            TrainableSet set = TrainableSet.select(lin, n -> true);
            try (Ema ema = new Ema(set, 0.9, false)) {
                ema.update(); // decay 0: copies {1, 2}
                lin.weight().set(m.create(new float[] {3, 6}, lin.weight().shape()));
                ema.update(); // decay 2/11
                lin.weight().set(m.create(new float[] {0.1f, 0.2f}, lin.weight().shape()));
                float[] training = lin.weight().value().toFloatArray();
                double d = 2.0 / 11.0;
                try (Ema.Swap s = ema.swapIn()) {
                    float[] avg = lin.weight().value().toFloatArray();
                    assertEquals(1 - (1 - d) * (1 - 3), avg[0], 1e-6);
                    assertEquals(2 - (1 - d) * (2 - 6), avg[1], 1e-6);
                }
                assertArrayEquals(training, lin.weight().value().toFloatArray(), 0f);
                assertEquals(2, ema.updates());
            }
        }
    }
}
