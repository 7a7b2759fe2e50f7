package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;

/** diffusers {@code TimestepEmbedding} with SiLU: {@code linear_2(silu(linear_1(x)))}. */
public final class TimestepEmbedding extends Module {
    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(long in, long timeEmbedDim) {
        this.linear1 = child("linear_1", new Linear(in, timeEmbedDim, true));
        this.linear2 = child("linear_2", new Linear(timeEmbedDim, timeEmbedDim, true));
    }

    public NDArray forward(NDArray x) {
        return linear2.forward(Functional.silu(linear1.forward(x)));
    }
}
