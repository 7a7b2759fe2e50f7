package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;

/**
 * diffusers {@code FeedForward} with {@code activation_fn="geglu"}: {@code net.0} is a GEGLU
 * whose {@code proj} maps dim to 2 x 4dim (value and gate halves), {@code net.1} a dropout
 * (no weights), {@code net.2} the projection back to dim.
 */
public final class FeedForward extends Module {
    private final Linear proj;
    private final Linear out;

    public FeedForward(long dim) {
        long inner = 4 * dim;
        Net net = child("net", new Net());
        Module geglu = net.add("0", new Proj());
        this.proj = ((Proj) geglu).add(new Linear(dim, inner * 2, true));
        this.out = net.add("2", new Linear(inner, dim, true));
    }

    public NDArray forward(NDArray x) {
        NDArray projected = proj.forward(x);
        NDList halves = projected.split(2, projected.getShape().dimension() - 1);
        return out.forward(halves.get(0).mul(Functional.gelu(halves.get(1))));
    }

    /** {@code net}: a Sequential whose children keep torch's indices (1 is the dropout). */
    private static final class Net extends Module {
        <M extends Module> M add(String index, M module) {
            return child(index, module);
        }
    }

    /** {@code net.0}: the GEGLU module, whose only weight is {@code proj}. */
    private static final class Proj extends Module {
        Linear add(Linear linear) {
            return child("proj", linear);
        }
    }
}
