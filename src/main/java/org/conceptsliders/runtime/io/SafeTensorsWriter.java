package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writer of the safetensors format, the counterpart of {@link SafeTensors}, and of Hugging Face
 * shard sets ({@code <name>-00001-of-0000N.safetensors} plus {@code <name>.safetensors.index.json}).
 *
 * <p>Files are written through {@link AtomicFiles}, so that a reader (or a crash) never sees a
 * half-written file and a failed write leaves the previous file intact. Tensors are laid out as the Rust {@code safetensors}
 * crate lays them out: by element size, largest first, then by name; with the header padded to a
 * multiple of 8 bytes every tensor is aligned to its element size. Tensor bytes are streamed one
 * tensor at a time.
 */
public final class SafeTensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {
    }

    /** Writes {@code tensors} and {@code metadata} (may be empty) to {@code file}, atomically. */
    public static void write(Path file, Map<String, ? extends TensorSource> tensors, Map<String, String> metadata)
            throws IOException {
        List<String> order = layout(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (String name : order) {
            TensorSource t = tensors.get(name);
            long length = byteLength(name, t);
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(t.shape()).forEach(shape::add);
            entry.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        writeAtomically(file, channel -> {
            writeFully(channel, head.flip());
            for (String name : order) {
                TensorSource t = tensors.get(name);
                ByteBuffer data = t.bytes();
                if (data.remaining() != byteLength(name, t)) {
                    throw new IllegalArgumentException(file + ", tensor '" + name + "': source gave " + data.remaining()
                            + " bytes for " + t.dtype() + " x " + Arrays.toString(t.shape()));
                }
                writeFully(channel, data);
            }
        });
    }

    /** Writes arrays in their own dtype and shape, as {@link #write(Path, Map, Map)}. */
    public static void writeArrays(Path file, Map<String, NDArray> arrays, Map<String, String> metadata)
            throws IOException {
        Map<String, TensorSource> sources = new LinkedHashMap<>();
        arrays.forEach((k, v) -> sources.put(k, TensorSource.of(v)));
        write(file, sources, metadata);
    }

    /**
     * Writes {@code tensors} into {@code folder} as {@code <name>.safetensors} if their data fit in
     * {@code maxShardBytes}, else as shards of at most {@code maxShardBytes} of tensor data each (a
     * larger tensor gets a shard of its own) plus the index {@code <name>.safetensors.index.json}
     * ({@code metadata.total_size}, {@code weight_map}), as diffusers' {@code save_pretrained}
     * does. Each shard carries {@code metadata}. The index is written last, so that it never names
     * a shard that is not complete.
     *
     * @return the file to open with {@link WeightSource#open(Path)}: the single file or the index
     */
    public static Path writeSharded(Path folder, String name, Map<String, ? extends TensorSource> tensors,
                                    Map<String, String> metadata, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        List<Map<String, TensorSource>> shards = new ArrayList<>();
        Map<String, TensorSource> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, ? extends TensorSource> e : tensors.entrySet()) {
            long length = byteLength(e.getKey(), e.getValue());
            if (!current.isEmpty() && currentBytes + length > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += length;
            total += length;
        }
        shards.add(current);
        if (shards.size() == 1) {
            Path single = folder.resolve(name + ".safetensors");
            write(single, current, metadata);
            return single;
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String shardName = String.format("%s-%05d-of-%05d.safetensors", name, i + 1, shards.size());
            write(folder.resolve(shardName), shards.get(i), metadata);
            shards.get(i).keySet().forEach(k -> weightMap.put(k, shardName));
        }
        Path indexFile = folder.resolve(name + ".safetensors.index.json");
        byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index);
        writeAtomically(indexFile, channel -> writeFully(channel, ByteBuffer.wrap(json)));
        return indexFile;
    }

    private static List<String> layout(Map<String, ? extends TensorSource> tensors) {
        List<String> order = new ArrayList<>(tensors.keySet());
        order.sort(Comparator.<String>comparingInt(k -> -tensors.get(k).dtype().bytes()).thenComparing(k -> k));
        return order;
    }

    private static long byteLength(String name, TensorSource t) {
        long[] shape = t.shape();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            }
        }
        return Math.multiplyExact(TensorData.elementCount(shape), t.dtype().bytes());
    }

    private interface Body {
        void writeTo(FileChannel channel) throws IOException;
    }

    private static void writeAtomically(Path file, Body body) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(channel);
            }
        });
    }

    private static void writeFully(FileChannel channel, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
