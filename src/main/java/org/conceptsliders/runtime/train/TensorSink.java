package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes named tensors and string metadata as one file, atomically: a failed write leaves the
 * previous file intact (write through {@link org.conceptsliders.runtime.io.AtomicFiles}). Tests
 * slot in a sink that fails half-way.
 */
@FunctionalInterface
public interface TensorSink {

    void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException;

    /** The safetensors format, through the project's one writer. */
    TensorSink SAFETENSORS = org.conceptsliders.runtime.io.SafeTensorsWriter::writeArrays;
}
