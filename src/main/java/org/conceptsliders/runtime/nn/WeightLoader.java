package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.io.TensorInfo;
import org.conceptsliders.runtime.io.WeightSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fills a module's parameters from a weight file by name, as diffusers' loader does: missing,
 * unexpected and mismatched keys are reported separately, and any of them is an error that
 * names the file, the key, the expected and the found shape.
 */
public final class WeightLoader {
    private WeightLoader() {
    }

    public static void load(Module root, WeightSource source, NDManager manager, DataType dtype) throws IOException {
        load(root, source, manager, dtype, k -> false);
    }

    /**
     * As {@link #load(Module, WeightSource, NDManager, DataType)}, with {@code ignorable} naming the
     * extra tensors a component legitimately carries (buffers such as CLIP's {@code position_ids}).
     */
    public static void load(Module root, WeightSource source, NDManager manager, DataType dtype,
                            java.util.function.Predicate<String> ignorable) throws IOException {
        Map<String, Parameter> params = root.namedParameters();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String key = e.getKey();
            if (!source.contains(key)) {
                problems.add("missing tensor '" + key + "' (expected shape " + e.getValue().shape() + ")");
                continue;
            }
            TensorInfo info = source.info(key);
            Shape found = new Shape(info.shape());
            if (!found.equals(e.getValue().shape())) {
                problems.add("tensor '" + key + "' has shape " + found + ", expected " + e.getValue().shape());
            }
        }
        TreeSet<String> unexpected = new TreeSet<>(source.keys());
        unexpected.removeAll(params.keySet());
        unexpected.removeIf(ignorable);
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " unexpected tensor(s), e.g. '" + unexpected.first()
                    + "' (the file may be for another architecture or config)");
        }
        if (!problems.isEmpty()) {
            throw new IOException(source.origin() + ": does not fit " + root.getClass().getSimpleName() + ":\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(problems.size(), 12)))
                    + (problems.size() > 12 ? "\n  ... and " + (problems.size() - 12) + " more" : ""));
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray a = source.load(e.getKey(), manager, dtype);
            a.setName(e.getKey());
            e.getValue().set(a);
        }
    }
}
