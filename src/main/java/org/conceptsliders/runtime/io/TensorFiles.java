package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry point for every tensor file this project reads, the format picked from the content
 * rather than the name (released sliders are {@code .pt} files that are zip archives; some
 * {@code .ckpt} are safetensors renamed): a zip archive is a {@code torch.save} checkpoint, a
 * {@code *.index.json} is a safetensors shard index, anything else must be safetensors.
 */
public final class TensorFiles {

    private TensorFiles() {
    }

    /**
     * Every tensor of {@code file} in {@code manager}, in its stored dtype, in file order. An
     * array is created only once the previous one is in the manager, so that the heap holds at
     * most one tensor's bytes.
     */
    public static Map<String, NDArray> loadAll(Path file, NDManager manager) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try {
            if (isTorch(file)) {
                try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
                    for (String key : ckpt.keys()) {
                        out.put(key, ckpt.read(key).toNDArray(manager));
                    }
                }
            } else {
                try (WeightSource source = WeightSource.open(file)) {
                    for (String key : source.keys()) {
                        out.put(key, source.file(key).load(key, manager));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        return out;
    }

    /** The safetensors {@code __metadata__} of {@code file}; empty for a torch checkpoint, which has none. */
    public static Map<String, String> metadata(Path file) throws IOException {
        if (isTorch(file)) {
            TorchCheckpoint.open(file).close(); // still a bad file must fail here, not later
            return Map.of();
        }
        try (WeightSource source = WeightSource.open(file)) {
            return source.metadata();
        }
    }

    private static boolean isTorch(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": tensor file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return TorchCheckpoint.isZip(in.readNBytes(4));
        }
    }
}
