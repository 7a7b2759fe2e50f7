package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a slider file's tensors and metadata. */
final class SliderFiles {
    private SliderFiles() {
    }

    static Map<String, NDArray> loadAll(Path file, NDManager m) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(file)) {
            for (String k : st.keys()) {
                out.put(k, st.load(k, m));
            }
        }
        return out;
    }

    static Map<String, String> metadata(Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            return st.metadata();
        }
    }
}
