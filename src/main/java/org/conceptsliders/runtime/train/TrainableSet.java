package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.Parameter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The parameters a training run updates (PyTorch's {@code requires_grad_(True)} on a subset, the
 * rest frozen with {@code requires_grad_(False)}): the whole model when training from scratch,
 * a LoRA's own down/up weights for a slider.
 *
 * <p>Gradients accumulate across backward passes, as in PyTorch: a new GradientCollector does
 * not clear them, so {@link #zeroGradients()} runs after every optimizer step. Select after the
 * weights are loaded: requires-gradient is a property of the array, and an array set later
 * starts frozen. {@link #close()} freezes the set again so that later inference records no graph.
 */
public final class TrainableSet implements AutoCloseable {
    private final Map<String, Parameter> params;

    private TrainableSet(Map<String, Parameter> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no parameter selected for training");
        }
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.params.values().forEach(p -> p.value().setRequiresGradient(true));
    }

    /** The parameters of {@code root} whose dotted names pass {@code include}; all others are frozen. */
    public static TrainableSet select(Module root, Predicate<String> include) {
        Map<String, Parameter> chosen = new LinkedHashMap<>();
        root.namedParameters().forEach((name, p) -> {
            if (include.test(name)) {
                chosen.put(name, p);
            } else {
                p.value().setRequiresGradient(false);
            }
        });
        return new TrainableSet(chosen);
    }

    /** Exactly these parameters (e.g. a LoRA's own weights by their file names); nothing else is touched. */
    public static TrainableSet of(Map<String, Parameter> params) {
        return new TrainableSet(params);
    }

    /** Name to parameter, in a stable order (checkpoints and the optimizer iterate in it). */
    public Map<String, Parameter> parameters() {
        return params;
    }

    public long elementCount() {
        return params.values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /**
     * The accumulated gradient of one parameter: a new handle in the parameter's manager sharing
     * the gradient's storage; close it (or create it inside an NDScope) after use.
     */
    static NDArray gradient(Parameter p) {
        return p.value().getGradient();
    }

    /** Sets every gradient to zero in place (torch's {@code zero_grad(set_to_none=False)}). */
    public void zeroGradients() {
        params.values().forEach(p -> JniUtils.zeroGrad(pt(p.value())));
    }

    /**
     * Drops every gradient (torch's {@code zero_grad(set_to_none=True)}, PyTorch's default since
     * 2.0): each parameter gets a new handle on the same storage, so the next backward stores its
     * gradients instead of adding them to zeros, and no gradient memory is held during the next
     * forward (3.4 GB for a full SD 1.5 UNet). Only for code that reads weights through their
     * {@link Parameter}s: an array handle taken earlier is closed here.
     */
    public void releaseGradients() {
        params.values().forEach(p -> {
            NDArray old = p.value();
            NDArray fresh = old.stopGradient();
            fresh.setRequiresGradient(true);
            p.set(fresh);
            old.close();
        });
    }

    private static PtNDArray pt(NDArray a) {
        if (a instanceof PtNDArray p) {
            return p;
        }
        throw new IllegalStateException("training needs the PyTorch engine, found an array of " + a.getClass().getName());
    }

    @Override
    public void close() {
        zeroGradients();
        params.values().forEach(p -> p.value().setRequiresGradient(false));
    }
}
