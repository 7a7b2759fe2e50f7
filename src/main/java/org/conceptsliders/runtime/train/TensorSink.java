package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.Dtype;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes named tensors and string metadata as one file. {@link Checkpoint} makes the write
 * atomic around it; tests slot in a sink that fails half-way.
 */
@FunctionalInterface
public interface TensorSink {

    void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException;

    /**
     * MERGE: stopgap until runtime.io.SafeTensorsWriter lands in main; then this becomes
     * {@code SafeTensorsWriter::write} (or its equivalent) and {@link #writeSafeTensors} is deleted.
     */
    TensorSink SAFETENSORS = TensorSink::writeSafeTensors;

    /** MERGE: delete with the line above. Safetensors layout: u64 LE header length, JSON header, raw LE data. */
    private static void writeSafeTensors(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            long bytes = a.size() * Dtype.of(a.getDataType()).bytes();
            header.put(e.getKey(), Map.of("dtype", Dtype.of(a.getDataType()).name(),
                    "shape", a.getShape().getShape(), "data_offsets", List.of(offset, offset + bytes)));
            offset += bytes;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned, as the reference writer pads with spaces
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head.flip());
            for (NDArray a : tensors.values()) {
                writeFully(ch, a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            }
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
