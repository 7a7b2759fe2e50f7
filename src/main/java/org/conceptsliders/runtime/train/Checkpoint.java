package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.TensorInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The whole state of a training run as one safetensors file, so that a resumed run continues
 * bit for bit: the trainable weights ({@code params.<name>}), AdamW's moments and master
 * weights ({@code adamw.*}), the EMA ({@code ema.*}), and in {@code __metadata__} the step,
 * the optimizer and EMA counters, the {@link TrainRandom} state, the elapsed seconds and the
 * run's configuration JSON. Frozen weights are not saved: they come from the base model.
 *
 * <p>Writes are atomic (the {@link TensorSink} contract), so a crash or a full disk leaves the
 * previous checkpoint intact.
 */
public final class Checkpoint {
    static final String FORMAT = "conceptsliders.train/1";

    private final TrainableSet params;
    private final AdamW optimizer;
    private final Ema ema;
    private final TrainRandom rng;
    private final TensorSink sink;

    /** What a checkpoint says about its run besides the tensors. */
    public record Info(int step, double seconds, String config) {
    }

    /** {@code ema} may be null. */
    public Checkpoint(AdamW optimizer, Ema ema, TrainRandom rng, TensorSink sink) {
        this.params = optimizer.parameters();
        this.optimizer = optimizer;
        this.ema = ema;
        this.rng = rng;
        this.sink = sink;
    }

    private Map<String, NDArray> tensors(Map<String, String> metadata) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        params.parameters().forEach((name, p) -> t.put("params." + name, p.value()));
        optimizer.exportState(t, metadata);
        if (ema != null) {
            ema.exportState(t, metadata);
        }
        return t;
    }

    public void save(Path file, Info info) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("step", Integer.toString(info.step()));
        metadata.put("seconds", Double.toString(info.seconds()));
        metadata.put("rng", Long.toString(rng.state()));
        metadata.put("config", info.config() == null ? "" : info.config());
        Map<String, NDArray> tensors = tensors(metadata);
        sink.write(file, tensors, metadata);
    }

    /**
     * Writes the saved state into the live arrays (the model keeps its references) and the
     * counters and generator; every tensor must be present with the same shape, else nothing of
     * the run is trusted and an IOException names the file and the tensor.
     */
    public Info restore(Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IOException(file + ": not a training checkpoint (format '" + meta.get("format")
                        + "', expected '" + FORMAT + "')");
            }
            Map<String, NDArray> targets = tensors(new LinkedHashMap<>());
            TreeSet<String> unexpected = new TreeSet<>(st.keys());
            unexpected.removeAll(targets.keySet());
            if (!unexpected.isEmpty()) {
                throw new IOException(file + ": tensor '" + unexpected.first() + "' (and " + (unexpected.size() - 1)
                        + " more) belongs to no trainable parameter of this run: another model or settings");
            }
            for (Map.Entry<String, NDArray> e : targets.entrySet()) {
                if (!st.contains(e.getKey())) {
                    throw new IOException(file + ": missing tensor '" + e.getKey() + "'");
                }
                TensorInfo ti = st.info(e.getKey());
                if (!Arrays.equals(ti.shape(), e.getValue().getShape().getShape())) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(ti.shape())
                            + ", expected " + e.getValue().getShape());
                }
            }
            try (NDManager scratch = NDManager.newBaseManager()) {
                for (Map.Entry<String, NDArray> e : targets.entrySet()) {
                    InPlace.copy(e.getValue(), st.load(e.getKey(), scratch));
                }
            }
            optimizer.restoreState(meta);
            if (ema != null) {
                ema.restoreState(meta);
            }
            rng.setState(Long.parseLong(meta.get("rng")));
            String config = meta.get("config");
            return new Info(Integer.parseInt(meta.get("step")), Double.parseDouble(meta.get("seconds")),
                    config == null || config.isEmpty() ? null : config);
        }
    }
}
