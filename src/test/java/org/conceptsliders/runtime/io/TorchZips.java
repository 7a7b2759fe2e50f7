package org.conceptsliders.runtime.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-written pickles (protocol 2 opcodes) and torch.save-style zip archives, for tests. */
final class TorchZips {

    /** A pickle opcode stream under construction. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle proto(int p) {
            return op(0x80, p);
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(v)).array());
            return this;
        }

        Pickle mark() {
            return op('(');
        }

        Pickle tuple() {
            return op('t');
        }

        Pickle ints(long... values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            return tuple();
        }

        Pickle reduce() {
            return op('R');
        }

        Pickle orderedDict() {
            return global("collections", "OrderedDict").op(')').reduce();
        }

        /** {@code _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
        Pickle tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple().op('Q');
            integer(offset).ints(size).ints(stride).op(0x89).orderedDict();
            return tuple().reduce();
        }

        byte[] stop() {
            op('.');
            return out.toByteArray();
        }
    }

    /** Writes a torch.save-like zip: {@code archive/data.pkl}, {@code archive/data/<key>}, and optional extras. */
    static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages, Map<String, byte[]> extras) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
        extras.forEach((k, v) -> entries.put("archive/" + k, v));
        entries.putIfAbsent("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(order);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int s : v) {
            b.putShort((short) s);
        }
        return b.array();
    }

    private TorchZips() {
    }
}
