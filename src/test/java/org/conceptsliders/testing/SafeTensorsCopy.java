package org.conceptsliders.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.TensorInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Writes an altered copy of a safetensors file for tests (the project has no writer yet): tensors
 * renamed, dropped or given another shape of the same size, data bytes unchanged.
 */
public final class SafeTensorsCopy {
    private SafeTensorsCopy() {
    }

    /**
     * @param rename  new name of each tensor; null drops it
     * @param reshape shape to declare for each tensor (same element count)
     * @return how many tensors were renamed or dropped
     */
    public static int copy(Path from, Path to, UnaryOperator<String> rename, Function<TensorInfo, long[]> reshape) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (SafeTensors src = SafeTensors.open(from)) {
            ObjectNode header = json.createObjectNode();
            List<ByteBuffer> data = new ArrayList<>();
            long offset = 0;
            int changed = 0;
            for (String key : src.keys()) {
                TensorInfo t = src.info(key);
                String name = rename.apply(key);
                if (!key.equals(name)) {
                    changed++;
                }
                if (name == null) {
                    continue;
                }
                ObjectNode e = header.putObject(name);
                e.put("dtype", t.dtype().name());
                e.putPOJO("shape", reshape.apply(t));
                e.putArray("data_offsets").add(offset).add(offset + t.byteLength());
                offset += t.byteLength();
                data.add(src.bytes(key));
            }
            byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
            byte[] padded = Arrays.copyOf(h, (h.length + 7) / 8 * 8);
            Arrays.fill(padded, h.length, padded.length, (byte) ' ');
            try (OutputStream out = Files.newOutputStream(to); WritableByteChannel ch = Channels.newChannel(out)) {
                ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).flip());
                ch.write(ByteBuffer.wrap(padded));
                for (ByteBuffer b : data) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            }
            return changed;
        }
    }
}
