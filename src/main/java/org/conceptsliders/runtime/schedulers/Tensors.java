package org.conceptsliders.runtime.schedulers;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;

/** Array arithmetic shared by the schedulers, freeing its temporaries at once. */
final class Tensors {
    private Tensors() {
    }

    /** {@code a * x + b * y}, in the manager of {@code x}. */
    static NDArray combine(double a, NDArray x, double b, NDArray y) {
        try (NDArray by = Owned.mul(y, (float) b)) {
            return Owned.mul(x, (float) a).addi(by);
        }
    }
}
