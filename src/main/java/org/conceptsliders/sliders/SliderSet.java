package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Adapter;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.pipeline.ModelKind;
import org.conceptsliders.runtime.pipeline.TimestepHook;
import org.conceptsliders.sliders.LoraModule.Component;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Sliders attached to a model: each LoRA module becomes an {@link Adapter} on its layer, adding
 * {@code scale * alpha / rank * up(down(x))} (the paper's {@code LoRANetwork} with its
 * multiplier); several sliders add their terms. A slider's UNet adapters are on only inside
 * its timestep window ({@code stop < t <= start}; before the first {@link #beforeUnet} call
 * every slider is on) and act on the whole batch, so both guidance branches. Text-encoder
 * adapters ignore the window: the prompt is encoded once, before any timestep.
 *
 * <p>{@link #merge()} folds the current deltas into the layer weights (a fast path for long
 * segments of steps with a fixed set of active sliders) and {@link #restore()} puts back the
 * original weight arrays themselves, so repeated cycles never drift. While merged, a window
 * change at {@link #beforeUnet} re-merges from the originals.
 *
 * <p>{@link #close()} restores, removes the adapters and frees what this set allocated, and
 * the sliders it loaded itself.
 */
public final class SliderSet implements TimestepHook, AutoCloseable {

    /** One slider with its settings and what of it found a layer. */
    public static final class Entry {
        private final Slider slider;
        private final String name;
        private volatile double scale;
        private final int startNoise;
        private final OptionalInt stopNoise;
        private final List<String> unmatched;
        private volatile boolean on = true;

        Entry(Slider slider, double scale, int startNoise, OptionalInt stopNoise, List<String> unmatched) {
            this.slider = slider;
            this.name = stem(slider.file().getFileName().toString());
            this.scale = scale;
            this.startNoise = startNoise;
            this.stopNoise = stopNoise;
            this.unmatched = unmatched;
        }

        private static String stem(String fileName) {
            int dot = fileName.lastIndexOf('.');
            return dot > 0 ? fileName.substring(0, dot) : fileName;
        }

        public Slider slider() {
            return slider;
        }

        /** The file name without extension, for labels. */
        public String name() {
            return name;
        }

        public double scale() {
            return scale;
        }

        public int startNoise() {
            return startNoise;
        }

        public OptionalInt stopNoise() {
            return stopNoise;
        }

        /** The file's modules that match no layer of this model, by their names in the file. */
        public List<String> unmatchedKeys() {
            return unmatched;
        }

        /** Whether the slider is on at timestep {@code t}. */
        public boolean inWindow(double t) {
            return t <= startNoise && (stopNoise.isEmpty() || t > stopNoise.getAsInt());
        }
    }

    private final NDManager manager;
    private final List<Entry> entries;
    private final List<Slider> owned;
    private final Map<AdaptableLayer, List<LoraAdapter>> byLayer;
    private final Map<AdaptableLayer, NDArray> originals = new LinkedHashMap<>();
    private boolean merged;

    private SliderSet(NDManager manager, List<Entry> entries, List<Slider> owned,
                      Map<AdaptableLayer, List<LoraAdapter>> byLayer) {
        this.manager = manager;
        this.entries = entries;
        this.owned = owned;
        this.byLayer = byLayer;
    }

    /**
     * Loads each spec's file into its own manager under {@code parent} and attaches it; the
     * sliders are freed when the set is closed. {@code te1}/{@code te2} may be null (no text
     * encoder LoRA is then applied; its modules are reported as unmatched).
     */
    public static SliderSet attach(Module unet, Module te1, Module te2, List<SliderSpec> specs, NDManager parent)
            throws IOException {
        DataType dtype = weightType(unet);
        List<Slider> loaded = new ArrayList<>();
        try {
            for (SliderSpec s : specs) {
                loaded.add(Slider.load(s.file(), parent, dtype));
            }
            return attach(unet, te1, te2, loaded, specs, parent, loaded);
        } catch (IOException | RuntimeException e) {
            loaded.forEach(Slider::close);
            throw e;
        }
    }

    /** Attaches already loaded sliders (a cache keeps them); closing the set leaves them loaded. */
    public static SliderSet attach(Module unet, Module te1, Module te2, List<Slider> sliders, List<SliderSpec> specs,
                                   NDManager parent) {
        return attach(unet, te1, te2, sliders, specs, parent, List.of());
    }

    private static SliderSet attach(Module unet, Module te1, Module te2, List<Slider> sliders, List<SliderSpec> specs,
                                    NDManager parent, List<Slider> owned) {
        if (sliders.size() != specs.size()) {
            throw new IllegalArgumentException(sliders.size() + " sliders but " + specs.size() + " specs");
        }
        Map<Component, LayerTable> tables = new EnumMap<>(Component.class);
        tables.put(Component.UNET, LayerTable.ofUnet(unet));
        if (te1 != null) {
            tables.put(Component.TEXT_ENCODER, LayerTable.of(te1));
        }
        if (te2 != null) {
            tables.put(Component.TEXT_ENCODER_2, LayerTable.of(te2));
        }
        ModelKind base = ModelKind.of(unet);
        NDManager manager = parent.newSubManager();
        Map<AdaptableLayer, List<LoraAdapter>> byLayer = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try {
            // Check every slider before touching the model: a misfit leaves it unchanged.
            List<List<Object[]>> plans = new ArrayList<>();
            for (int i = 0; i < sliders.size(); i++) {
                Slider slider = sliders.get(i);
                SliderSpec spec = specs.get(i);
                List<String> unmatched = new ArrayList<>();
                List<Object[]> plan = new ArrayList<>();
                for (LoraModule m : slider.modules()) {
                    LayerTable t = tables.get(m.component());
                    AdaptableLayer layer = t == null ? null : t.get(m.flatName());
                    if (layer == null) {
                        unmatched.add(m.key());
                        continue;
                    }
                    String misfit = m.misfit(layer);
                    if (misfit != null) {
                        throw new IllegalArgumentException(slider.file() + " does not fit this " + base
                                + " model: " + misfit + ". It looks made for " + slider.madeFor() + ".");
                    }
                    plan.add(new Object[]{m, layer});
                }
                if (plan.isEmpty()) {
                    throw new IllegalArgumentException(slider.file() + ": none of its " + slider.modules().size()
                            + " modules matches a layer of this " + base + " model (e.g. '" + slider.modules().get(0).key()
                            + "'). It looks made for " + slider.madeFor() + ".");
                }
                int start = spec.startNoise().orElse(slider.startNoise().orElse(base.defaultStartNoise()));
                entries.add(new Entry(slider, spec.scale(), start, spec.stopNoise(), Collections.unmodifiableList(unmatched)));
                plans.add(plan);
            }
            for (int i = 0; i < plans.size(); i++) {
                for (Object[] p : plans.get(i)) {
                    LoraModule m = (LoraModule) p[0];
                    AdaptableLayer layer = (AdaptableLayer) p[1];
                    LoraAdapter a = new LoraAdapter(entries.get(i), layer, m, m.component() == Component.UNET,
                            m.doraScale() == null ? null : doraDelta(m, layer, manager));
                    byLayer.computeIfAbsent(layer, k -> new ArrayList<>()).add(a);
                }
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        byLayer.forEach((layer, list) -> list.forEach(layer::addAdapter));
        return new SliderSet(manager, Collections.unmodifiableList(entries), owned, byLayer);
    }

    private static DataType weightType(Module unet) {
        return unet.namedParameters().values().iterator().next().value().getDataType();
    }

    /**
     * DoRA's full weight change at scale 1, {@code m * (W + dW) / ||W + dW|| - W}, the norm taken
     * over the axes where {@code dora_scale} has size 1 (per output row when it is [out, 1, ...],
     * per input column when [1, in, ...]: LyCORIS' {@code wd_on_out} and its default); the slider
     * then scales this change linearly, as ComfyUI applies DoRA strength.
     */
    private static NDArray doraDelta(LoraModule m, AdaptableLayer layer, NDManager manager) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray w = layer.weight().value().toType(DataType.FLOAT32, true);
            NDArray updated = w.add(m.weightDelta(layer.weight().shape(), m.alphaOverRank()).toType(DataType.FLOAT32, false));
            NDArray scale = m.doraScale().toType(DataType.FLOAT32, true);
            int dims = updated.getShape().dimension();
            List<Integer> axes = new ArrayList<>();
            for (int d = 0; d < dims; d++) {
                if (d >= scale.getShape().dimension() || scale.getShape().get(d) == 1) {
                    axes.add(d);
                }
            }
            scale = scale.reshape(padShape(scale, dims));
            NDArray norm = updated.square().sum(axes.stream().mapToInt(Integer::intValue).toArray(), true).sqrt();
            NDArray delta = updated.mul(scale).div(norm).sub(w).toType(layer.weight().value().getDataType(), true);
            NDScope.unregister(delta);
            delta.attach(manager);
            return delta;
        }
    }

    private static ai.djl.ndarray.types.Shape padShape(NDArray a, int dims) {
        long[] s = new long[dims];
        for (int d = 0; d < dims; d++) {
            s[d] = d < a.getShape().dimension() ? a.getShape().get(d) : 1;
        }
        return new ai.djl.ndarray.types.Shape(s);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Sets the scale of slider {@code i} (any real number); re-merges when merged. */
    public void setScale(int i, double scale) {
        entries.get(i).scale = scale;
        if (merged) {
            mergeNow();
        }
    }

    @Override
    public void beforeUnet(double timestep) {
        boolean changed = false;
        for (Entry e : entries) {
            boolean on = e.inWindow(timestep);
            changed |= on != e.on;
            e.on = on;
        }
        if (changed && merged) {
            mergeNow();
        }
    }

    /** Folds the deltas of the sliders now on into the weights until {@link #restore()}. */
    public synchronized void merge() {
        merged = true;
        mergeNow();
    }

    private synchronized void mergeNow() {
        for (Map.Entry<AdaptableLayer, List<LoraAdapter>> e : byLayer.entrySet()) {
            AdaptableLayer layer = e.getKey();
            NDArray original = originals.computeIfAbsent(layer, l -> l.weight().value());
            NDArray current = layer.weight().value();
            // A scope frees every intermediate, wherever its manager (the slider's, for its factors).
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray sum = null;
                for (LoraAdapter a : e.getValue()) {
                    a.merged = true;
                    double s = a.effectiveScale();
                    if (s != 0) {
                        NDArray d = a.weightDelta(s);
                        sum = sum == null ? d : sum.addi(d);
                    }
                }
                NDArray next = original;
                if (sum != null) {
                    next = sum.toType(original.getDataType(), false).addi(original);
                    NDScope.unregister(next);
                    next.attach(manager);
                }
                layer.weight().set(next);
            }
            if (current != original) {
                current.close();
            }
        }
    }

    /** Puts the original weight arrays back and returns to adding the deltas at each call. */
    public synchronized void restore() {
        merged = false;
        for (Map.Entry<AdaptableLayer, NDArray> e : originals.entrySet()) {
            NDArray current = e.getKey().weight().value();
            e.getKey().weight().set(e.getValue());
            if (current != e.getValue()) {
                current.close();
            }
        }
        originals.clear();
        byLayer.values().forEach(list -> list.forEach(a -> a.merged = false));
    }

    public boolean isMerged() {
        return merged;
    }

    @Override
    public void close() {
        restore();
        byLayer.forEach((layer, list) -> list.forEach(layer::removeAdapter));
        manager.close();
        owned.forEach(Slider::close);
    }

    /** One module of one slider on one layer. */
    private static final class LoraAdapter implements Adapter {
        private final Entry entry;
        private final AdaptableLayer layer;
        private final LoraModule module;
        private final boolean timed;
        private final NDArray doraDelta;
        volatile boolean merged;

        LoraAdapter(Entry entry, AdaptableLayer layer, LoraModule module, boolean timed, NDArray doraDelta) {
            this.entry = entry;
            this.layer = layer;
            this.module = module;
            this.timed = timed;
            this.doraDelta = doraDelta;
        }

        double effectiveScale() {
            return timed && !entry.on ? 0 : entry.scale;
        }

        @Override
        public NDArray delta(NDArray x) {
            double s = effectiveScale();
            if (merged || s == 0) {
                return null;
            }
            if (doraDelta != null) {
                NDArray y = layer instanceof Conv2d c
                        ? Conv2d.conv(x, doraDelta, null, c.stride(), c.padding())
                        : x.getNDArrayInternal().linear(x, doraDelta, null).singletonOrThrow();
                return Owned.muli(y, (float) s);
            }
            return module.forward(layer, x, s * module.alphaOverRank());
        }

        NDArray weightDelta(double s) {
            if (doraDelta != null) {
                return Owned.mul(doraDelta, (float) s);
            }
            return module.weightDelta(layer.weight().shape(), s * module.alphaOverRank());
        }
    }
}
