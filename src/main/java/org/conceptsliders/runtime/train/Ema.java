package org.conceptsliders.runtime.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.conceptsliders.runtime.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of the trainable weights, diffusers' {@code EMAModel}
 * ({@code training_utils.py}): after update number {@code t}, with {@code s = t - 1},
 * <pre>
 *   decay = 0                                     if s &lt;= 0 (the first update copies the weights)
 *         = min(maxDecay, 1 - (1 + s)^(-2/3))      with warmup (inv_gamma 1, power 2/3)
 *         = min(maxDecay, (1 + s) / (10 + s))      without
 *   shadow = shadow - (1 - decay) * (shadow - weight)
 * </pre>
 * The shadow is float32 in its own manager. {@link #swapIn()} puts it into the model for
 * evaluation and its {@code close()} puts the training weights back unchanged.
 */
public final class Ema implements AutoCloseable {
    private final TrainableSet params;
    private final double maxDecay;
    private final boolean warmup;
    private final NDManager manager;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();
    private int updates;

    public Ema(TrainableSet params, double maxDecay, boolean warmup) {
        if (!(maxDecay >= 0 && maxDecay < 1)) {
            throw new IllegalArgumentException("EMA decay must lie in [0, 1), got " + maxDecay);
        }
        this.params = params;
        this.maxDecay = maxDecay;
        this.warmup = warmup;
        Parameter first = params.parameters().values().iterator().next();
        this.manager = NDManager.newBaseManager(first.value().getDevice());
        this.manager.setName("Ema");
        params.parameters().forEach((name, p) -> shadow.put(name, InPlace.float32Copy(p.value(), manager)));
    }

    /** The decay that update number {@code update} (1-based) uses. */
    public double decay(int update) {
        int s = update - 1;
        if (s <= 0) {
            return 0.0;
        }
        double d = warmup ? 1.0 - Math.pow(1.0 + s, -2.0 / 3.0) : (1.0 + s) / (10.0 + s);
        return Math.min(d, maxDecay);
    }

    public int updates() {
        return updates;
    }

    /** Moves the average towards the current weights; call after each optimizer step. */
    public void update() {
        updates++;
        float oneMinus = (float) (1.0 - decay(updates));
        try (NoGrad ignored = NoGrad.enter(); NDScope scope = new NDScope()) {
            params.parameters().forEach((name, p) -> {
                NDArray s = shadow.get(name);
                NDArray w = p.value().toType(s.getDataType(), false);
                s.subi(Owned.muli(s.sub(w), oneMinus));
            });
        }
    }

    /** Puts the averaged weights into the model until the returned handle is closed. */
    public Swap swapIn() {
        return new Swap();
    }

    /** While open, the model holds the EMA weights; {@code close()} restores the training weights bit for bit. */
    public final class Swap implements AutoCloseable {
        private final NDManager backup = manager.newSubManager();
        private final Map<String, NDArray> saved = new LinkedHashMap<>();

        private Swap() {
            params.parameters().forEach((name, p) -> {
                try (NoGrad ignored = NoGrad.enter()) {
                    NDArray copy = p.value().duplicate();
                    copy.attach(backup);
                    saved.put(name, copy);
                }
                InPlace.copy(p.value(), shadow.get(name));
            });
        }

        @Override
        public void close() {
            params.parameters().forEach((name, p) -> InPlace.copy(p.value(), saved.get(name)));
            backup.close();
        }
    }

    /** Adds the shadow weights under "ema." and the update count; the same map names what a restore fills. */
    void exportState(Map<String, NDArray> tensors, Map<String, String> metadata) {
        shadow.forEach((name, a) -> tensors.put("ema." + name, a));
        metadata.put("ema.updates", Integer.toString(updates));
    }

    void restoreState(Map<String, String> metadata) {
        updates = Integer.parseInt(metadata.get("ema.updates"));
    }

    @Override
    public void close() {
        manager.close();
    }
}
