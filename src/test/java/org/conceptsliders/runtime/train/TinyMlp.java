package org.conceptsliders.runtime.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;

/** A 2-layer MLP fitting y = sin(2 x0) + x1 x2 on random batches: the smallest real training problem. */
final class TinyMlp extends Module {
    final Linear fc1 = child("fc1", new Linear(3, 16, true));
    final Linear fc2 = child("fc2", new Linear(16, 1, true));

    NDArray forward(NDArray x) {
        return fc2.forward(Functional.silu(fc1.forward(x)));
    }

    /** One iteration: batch of 16 from {@code rng}, MSE, backward. */
    float step(TrainRandom rng, NDManager m) {
        NDArray x = rng.uniform(m, -1, 1, new Shape(16, 3));
        NDArray y = x.get(new NDIndex(":, 0:1")).mul(2).sin()
                .add(x.get(new NDIndex(":, 1:2")).mul(x.get(new NDIndex(":, 2:3"))));
        try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
            NDArray loss = forward(x).sub(y).square().mean();
            c.backward(loss);
            return loss.getFloat();
        }
    }
}
