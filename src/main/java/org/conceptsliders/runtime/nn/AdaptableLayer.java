package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A layer whose output takes the sum of its adapters' terms: the Linear and Conv2d layers. */
public abstract class AdaptableLayer extends Module {
    private final List<Adapter> adapters = new CopyOnWriteArrayList<>();

    public final void addAdapter(Adapter a) {
        adapters.add(a);
    }

    public final boolean removeAdapter(Adapter a) {
        return adapters.remove(a);
    }

    public final List<Adapter> adapters() {
        return List.copyOf(adapters);
    }

    /** The layer's own weight (what a LoRA delta is merged into). */
    public abstract Parameter weight();

    protected abstract NDArray base(NDArray x);

    public final NDArray forward(NDArray x) {
        NDArray y = base(x);
        for (Adapter a : adapters) {
            NDArray d = a.delta(x);
            if (d != null) {
                y = y.add(d);
            }
        }
        return y;
    }
}
