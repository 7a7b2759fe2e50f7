package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A node of a model tree whose paths are the checkpoint's weight names: a child registered as
 * {@code "down_blocks"} then {@code "0"} then {@code "resnets"} gives the names
 * {@code down_blocks.0.resnets...} that diffusers writes. Names are string literals from the
 * checkpoint, never derived from Java names, so that the weight file is the contract.
 */
public abstract class Module {

    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    protected final Parameter param(String name, Parameter.Init init, long fanIn, long... shape) {
        Parameter p = new Parameter(new Shape(shape), init, fanIn);
        if (params.put(name, p) != null || children.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name);
        }
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (children.put(name, module) != null || params.containsKey(name)) {
            throw new IllegalStateException("duplicate name " + name);
        }
        return module;
    }

    /** Direct children by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Visits every parameter below this module with its full dotted name. */
    public final void visitParameters(String prefix, BiConsumer<String, Parameter> visitor) {
        params.forEach((n, p) -> visitor.accept(prefix + n, p));
        children.forEach((n, c) -> c.visitParameters(prefix + n + ".", visitor));
    }

    /** Visits this module and every module below it with its dotted path ("" for the root). */
    public final void visitModules(String path, BiConsumer<String, Module> visitor) {
        visitor.accept(path, this);
        children.forEach((n, c) -> c.visitModules(path.isEmpty() ? n : path + "." + n, visitor));
    }

    /** All parameters by full dotted name. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        visitParameters("", out::put);
        return out;
    }

    /** All modules by dotted path, the root included as "". */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        visitModules("", out::put);
        return out;
    }
}
