package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader of the safetensors format (8-byte little-endian header length, JSON header, raw data).
 *
 * <p>The header is validated completely on open, so that a corrupt or hostile file fails before
 * any tensor is read. Tensor data is memory-mapped one tensor at a time: the Java heap never
 * holds a copy of the file, and a tensor costs native memory only once it is loaded.
 */
public final class SafeTensors implements AutoCloseable {

    /** Headers larger than this are refused: real files stay far below (SDXL: ~200 KB). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    // a repeated tensor name or text after the header object would make two readers disagree
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    /** Reused by {@link #load}: sized to the largest tensor, allocated on first use. */
    private ByteBuffer scratch;

    private SafeTensors(Path file, FileChannel channel, long dataStart,
                        Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; throws {@link SafeTensorsException} naming the file and tensor. */
    public static SafeTensors open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafeTensorsException(file, null, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new SafeTensorsException(file, null, "header length " + headerLen
                        + " does not fit in a file of " + size + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(channel, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8).trim());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SafeTensorsException(file, null, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw new SafeTensorsException(file, null, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = Collections.emptyMap();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    metadata = parseMetadata(file, e.getValue());
                } else {
                    tensors.put(e.getKey(), TensorInfo.parse(file, e.getKey(), e.getValue()));
                }
            }
            checkLayout(file, tensors, size - dataStart);
            return new SafeTensors(file, channel, dataStart, Collections.unmodifiableMap(tensors), metadata);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws SafeTensorsException {
        if (!node.isObject()) {
            throw new SafeTensorsException(file, "__metadata__", "must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafeTensorsException(file, "__metadata__", "value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Offsets must lie inside the data section and no two tensors may overlap. */
    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long dataLen)
            throws SafeTensorsException {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        long end = 0;
        String previous = null;
        for (TensorInfo t : sorted) {
            if (t.end() > dataLen) {
                throw new SafeTensorsException(file, t.name(), "data offsets [" + t.begin() + ", " + t.end()
                        + ") run past the end of the data section (" + dataLen + " bytes)");
            }
            if (t.begin() < end) {
                throw new SafeTensorsException(file, t.name(), "data offsets [" + t.begin() + ", " + t.end()
                        + ") overlap tensor '" + previous + "'");
            }
            if (t.end() > end) {
                end = t.end();
                previous = t.name();
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor names in file order. */
    public java.util.Set<String> keys() {
        return tensors.keySet();
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String key) {
        TensorInfo t = tensors.get(key);
        if (t == null) {
            throw new java.util.NoSuchElementException(file + ": no tensor '" + key + "'");
        }
        return t;
    }

    /** The raw little-endian bytes of one tensor, memory-mapped (read-only). */
    public ByteBuffer bytes(String key) throws IOException {
        TensorInfo t = info(key);
        if (t.byteLength() == 0) {
            return ByteBuffer.allocateDirect(0);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Loads one tensor into {@code manager} in its stored dtype (BF16 as FLOAT32, see
     * {@link TensorData#toNDArray}). The array owns a copy of the data, so that it may be modified
     * in place (LoRA merging) and outlives this reader.
     */
    public synchronized NDArray load(String key, NDManager manager) throws IOException {
        TensorInfo t = info(key);
        if (scratch == null) {
            long largest = tensors.values().stream().mapToLong(TensorInfo::byteLength).max().orElse(0);
            scratch = ByteBuffer.allocateDirect(Math.toIntExact(largest)).order(ByteOrder.LITTLE_ENDIAN);
        }
        // Read, not mapped: pages of a mapping stay resident until the garbage collector unmaps
        // it, which made a loaded SD 1.5 count its 2 GB of fp16 files on top of its weights.
        ByteBuffer data = scratch.clear().limit(Math.toIntExact(t.byteLength()));
        readFully(channel, data, dataStart + t.begin());
        return new TensorData(t.dtype(), t.shape(), data.flip()).toNDArray(manager);
    }

    /** Loads one tensor converted to {@code type} (not BFLOAT16, which the engine cannot hold). */
    public NDArray load(String key, NDManager manager, DataType type) throws IOException {
        if (type == DataType.BFLOAT16) {
            throw new IllegalArgumentException("DJL's PyTorch engine has no bfloat16 arrays; load " + key + " as FLOAT32");
        }
        NDArray a = load(key, manager);
        if (a.getDataType() == type) {
            return a;
        }
        NDArray converted = a.toType(type, true);
        a.close();
        return converted;
    }

    /** One tensor as a float array (any floating or integer dtype), for small tensors and tests. */
    public float[] floats(String key) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            return load(key, m, DataType.FLOAT32).toFloatArray();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafeTensors[" + file + ", " + tensors.size() + " tensors]";
    }
}
