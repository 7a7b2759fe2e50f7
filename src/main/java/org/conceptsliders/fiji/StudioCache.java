package org.conceptsliders.fiji;

import org.conceptsliders.sliders.Studio;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The open models, keyed by (model folder, device): a model takes seconds to load and gigabytes
 * to hold, so consecutive commands share it until {@link #release()}. One JVM-wide instance
 * ({@link #shared()}) serves the SciJava commands and the plain ImageJ 1.x plugins alike.
 * Plain Java on purpose: the ImageJ 1.x plugins load it without scijava.
 */
public final class StudioCache {

    private static final StudioCache SHARED = new StudioCache(StudioFactory.DEFAULT);

    private record Key(Path model, String device) {
    }

    private final Map<Key, Studio> open = new LinkedHashMap<>();
    private StudioFactory factory;

    public StudioCache(StudioFactory factory) {
        this.factory = Objects.requireNonNull(factory);
    }

    public static StudioCache shared() {
        return SHARED;
    }

    /** Replaces the factory and closes the models the old one opened. */
    public synchronized void setFactory(StudioFactory f) {
        release();
        factory = Objects.requireNonNull(f);
    }

    public synchronized StudioFactory factory() {
        return factory;
    }

    /**
     * The model in {@code model} (null: the embedded default) on {@code device}, opened on first
     * use. Opening another model closes the previous ones first: two models rarely fit in memory.
     */
    public synchronized Studio studio(Path model, String device) {
        Key key = new Key(model == null ? null : model.toAbsolutePath().normalize(), device);
        Studio s = open.get(key);
        if (s == null) {
            release();
            s = factory.open(key.model(), device);
            open.put(key, s);
        }
        return s;
    }

    public synchronized SliderTrainer trainer(Path model, String device) {
        return factory.trainer(model, device);
    }

    /** Closes every open model, freeing its native memory. */
    public synchronized void release() {
        open.values().forEach(Studio::close);
        open.clear();
    }

    public synchronized int openCount() {
        return open.size();
    }
}
