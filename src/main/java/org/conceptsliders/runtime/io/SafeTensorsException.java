package org.conceptsliders.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read as it claims: names the file and, where known, the tensor. */
public final class SafeTensorsException extends IOException {
    private final Path file;
    private final String tensor;

    public SafeTensorsException(Path file, String tensor, String problem) {
        super(file + (tensor == null ? "" : ", tensor '" + tensor + "'") + ": " + problem);
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
