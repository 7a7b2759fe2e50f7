package org.conceptsliders.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/** A PyTorch checkpoint that cannot be read, or is refused: names the file and, where known, the tensor. */
public final class TorchCheckpointException extends IOException {
    private final Path file;
    private final String tensor;

    public TorchCheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public TorchCheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(file + (tensor == null ? "" : ", tensor '" + tensor + "'") + ": " + problem, cause);
        this.file = file;
        this.tensor = tensor;
    }

    public Path file() {
        return file;
    }

    /** The tensor concerned, or null for a problem with the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
