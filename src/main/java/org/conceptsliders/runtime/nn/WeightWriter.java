package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.io.SafeTensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The inverse of {@link WeightLoader}: a module's parameters under their checkpoint names, as one safetensors file. */
public final class WeightWriter {
    private WeightWriter() {
    }

    /** Writes every parameter of {@code module} as {@code dtype} (atomically, as {@link SafeTensorsWriter} does). */
    public static void write(Module module, Path file, DataType dtype, Map<String, String> metadata) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            module.namedParameters().forEach((name, p) -> {
                NDArray detached = p.value().stopGradient();
                detached.attach(scratch);
                NDArray a = detached.toType(dtype, true);
                a.attach(scratch);
                tensors.put(name, a);
            });
            SafeTensorsWriter.writeArrays(file, tensors, metadata);
        }
    }
}
