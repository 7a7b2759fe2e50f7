package org.conceptsliders.runtime.nd;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The backward pass reads arrays made from Java values after their Java handles are closed
 * and the garbage collector has had every chance to free and reuse their memory.
 */
class OwnedTest {
    /** Frees unreachable direct buffers and fills fresh ones (likely at the same addresses) with NaN. */
    private static List<ByteBuffer> churnDirectMemory() throws InterruptedException {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(100);
            for (int i = 0; i < 1000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
                while (b.hasRemaining()) {
                    b.putFloat(Float.NaN);
                }
                keep.add(b);
            }
        }
        return keep;
    }

    @Test
    void scalarsAndJavaDataSavedForBackwardOutliveTheirHandles() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (NDArray data = Owned.floats(m, new float[] {1, 2, 3, 4}, new Shape(4))) {
                    // d/dx sum(((3x) * 0.5 + 1) * data) = 1.5 * data; both factors are saved by autograd
                    y = Owned.muli(Owned.add(Owned.mul(x, 3f), 1f), 0.5f).mul(data).sum();
                }
                List<ByteBuffer> garbage = churnDirectMemory();
                gc.backward(y);
                assertArrayEquals(new float[] {1.5f, 3f, 4.5f, 6f}, x.getGradient().toFloatArray());
                garbage.clear();
            }
        }
    }
}
