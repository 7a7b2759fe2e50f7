package org.conceptsliders.runtime.io;

import org.conceptsliders.runtime.io.TorchPickle.StorageRef;
import org.conceptsliders.runtime.io.TorchPickle.TensorRef;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reader of the tensors in a PyTorch {@code .pt}/{@code .ckpt}/{@code .bin} file written by
 * {@code torch.save} (PyTorch 1.6 and later: a zip archive holding {@code <archive>/data.pkl},
 * the storages {@code <archive>/data/<key>} and optionally {@code <archive>/byteorder}).
 *
 * <p>The pickle is read by {@link TorchPickle}, which accepts only the globals a state dict is
 * made of and never runs code. Tensors of nested dicts (a Lightning {@code .ckpt}'s
 * {@code state_dict}) are named by their path joined with dots; other values (step counters,
 * strings) are skipped. A tensor is read only when asked for, as contiguous data, whatever its
 * strides and storage offset.
 */
public final class TorchCheckpoint implements AutoCloseable {

    private final Path file;
    private final ZipFile zip;
    private final String archive;
    private final ByteOrder order;
    private final Map<String, TensorRef> tensors;

    private TorchCheckpoint(Path file, ZipFile zip, String archive, ByteOrder order, Map<String, TensorRef> tensors) {
        this.file = file;
        this.zip = zip;
        this.archive = archive;
        this.order = order;
        this.tensors = tensors;
    }

    /** Whether {@code head} (the first bytes of a file) starts as a zip archive does. */
    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /** Opens {@code file} and reads its pickle; no tensor data is read yet. */
    public static TorchCheckpoint open(Path file) throws IOException {
        byte[] head;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        if (!isZip(head)) {
            throw new TorchCheckpointException(file, null, head.length > 0 && (head[0] & 0xff) == 0x80
                    ? "legacy (pre-1.6, non-zip) torch.save format is not supported: re-save it with a recent PyTorch or convert it to safetensors"
                    : "not a zip archive, so not a torch.save checkpoint");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new TorchCheckpointException(file, null, "not a complete zip archive (truncated or damaged?): " + e.getMessage(), e);
        }
        try {
            String archive = archiveName(file, zip);
            ByteOrder order = byteOrder(file, zip, archive);
            String pkl = archive + "data.pkl";
            Object root;
            try (InputStream in = zip.getInputStream(zip.getEntry(pkl))) {
                root = TorchPickle.load(file, pkl, new java.io.BufferedInputStream(in));
            } catch (ZipException | java.io.EOFException e) {
                throw new TorchCheckpointException(file, null, pkl + " cannot be read (truncated or damaged?): " + e.getMessage(), e);
            }
            if (!(root instanceof Map<?, ?> dict)) {
                throw new TorchCheckpointException(file, null, "holds " + (root instanceof TensorRef ? "a single tensor" : root)
                        + ", not a dict of tensors");
            }
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            collect(file, "", dict, tensors);
            return new TorchCheckpoint(file, zip, archive, order, Collections.unmodifiableMap(tensors));
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** All tensors of {@code file}, in file order. */
    public static Map<String, TensorData> readAll(Path file) throws IOException {
        try (TorchCheckpoint ckpt = open(file)) {
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (String key : ckpt.keys()) {
                out.put(key, ckpt.read(key));
            }
            return out;
        }
    }

    /** The one top-level folder that holds {@code data.pkl} (torch names it after the file). */
    private static String archiveName(Path file, ZipFile zip) throws TorchCheckpointException {
        String found = null;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                if (found != null) {
                    throw new TorchCheckpointException(file, null, "holds two pickles, " + found + "data.pkl and " + name);
                }
                found = name.substring(0, slash + 1);
            }
        }
        if (found == null) {
            throw new TorchCheckpointException(file, null, "zip archive has no <archive>/data.pkl, so it is not a torch.save checkpoint");
        }
        return found;
    }

    private static ByteOrder byteOrder(Path file, ZipFile zip, String archive) throws IOException {
        ZipEntry e = zip.getEntry(archive + "byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN; // written only since PyTorch 1.10; older files are little-endian
        }
        String text;
        try (InputStream in = zip.getInputStream(e)) {
            text = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
        }
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new TorchCheckpointException(file, null, archive + "byteorder is '" + text
                    + "', expected 'little' or 'big'");
        };
    }

    private static void collect(Path file, String prefix, Map<?, ?> dict, Map<String, TensorRef> out)
            throws TorchCheckpointException {
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new TorchCheckpointException(file, null, "dict key " + e.getKey() + " is not a string");
            }
            if (e.getValue() instanceof TensorRef t) {
                out.put(prefix + k, t);
            } else if (e.getValue() instanceof Map<?, ?> inner) {
                collect(file, prefix + k + ".", inner, out);
            }
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor names in file order. */
    public Set<String> keys() {
        return tensors.keySet();
    }

    public Dtype dtype(String key) {
        return ref(key).storage().dtype();
    }

    public long[] shape(String key) {
        return ref(key).shape().clone();
    }

    private TensorRef ref(String key) {
        TensorRef t = tensors.get(key);
        if (t == null) {
            throw new java.util.NoSuchElementException(file + ": no tensor '" + key + "'");
        }
        return t;
    }

    /** One tensor as contiguous little-endian data on the heap. */
    public TensorData read(String key) throws IOException {
        TensorRef t = ref(key);
        StorageRef s = t.storage();
        int width = s.dtype().bytes();
        long[] shape = t.shape();
        long[] stride = t.stride();
        if (stride.length != shape.length) {
            throw new TorchCheckpointException(file, key, "shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long n = 1;
        long last = t.offset();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || stride[i] < 0) {
                throw new TorchCheckpointException(file, key, "negative size or stride: " + Arrays.toString(shape)
                        + ", " + Arrays.toString(stride));
            }
            n = Math.multiplyExact(n, shape[i]);
            last += shape[i] == 0 ? 0 : (shape[i] - 1) * stride[i];
        }
        if (t.offset() < 0 || (n > 0 && last >= s.numel())) {
            throw new TorchCheckpointException(file, key, "view (offset " + t.offset() + ", shape " + Arrays.toString(shape)
                    + ", stride " + Arrays.toString(stride) + ") runs past its storage of " + s.numel() + " elements");
        }
        byte[] storage = storageBytes(key, s);
        byte[] out = new byte[Math.toIntExact(n * width)];
        copyStrided(storage, Math.toIntExact(t.offset()), shape, stride, width, out);
        ByteBuffer data = ByteBuffer.wrap(out).order(order);
        return new TensorData(s.dtype(), shape, order == ByteOrder.LITTLE_ENDIAN || width == 1 ? data : TensorData.swapped(data, width));
    }

    private byte[] storageBytes(String key, StorageRef s) throws IOException {
        String name = archive + "data/" + s.key();
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new TorchCheckpointException(file, key, "storage entry " + name + " is missing");
        }
        long expected = Math.multiplyExact(s.numel(), s.dtype().bytes());
        if (expected > Integer.MAX_VALUE - 8) {
            throw new TorchCheckpointException(file, key, "storage of " + expected + " bytes is larger than this reader handles (2 GB)");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            bytes = in.readNBytes((int) expected + 1);
        } catch (ZipException | java.io.EOFException ex) {
            throw new TorchCheckpointException(file, key, "storage entry " + name + " cannot be read (truncated or damaged?): "
                    + ex.getMessage(), ex);
        }
        if (bytes.length != expected) {
            throw new TorchCheckpointException(file, key, "storage entry " + name + " holds " + bytes.length
                    + (bytes.length > expected ? "+" : "") + " bytes, but " + s.numel() + " x " + s.dtype() + " = " + expected + " bytes");
        }
        return bytes;
    }

    /** Row-major copy of the strided view (offset and strides in elements) into {@code out}. */
    private static void copyStrided(byte[] storage, int offset, long[] shape, long[] stride, int width, byte[] out) {
        int rank = shape.length;
        long expect = 1;
        boolean contiguous = true;
        for (int i = rank - 1; i >= 0; i--) {
            contiguous &= shape[i] == 1 || stride[i] == expect;
            expect *= shape[i];
        }
        if (contiguous) {
            System.arraycopy(storage, offset * width, out, 0, out.length);
            return;
        }
        long[] index = new long[rank];
        long src = offset;
        for (int dst = 0; dst < out.length; dst += width) {
            System.arraycopy(storage, (int) src * width, out, dst, width);
            for (int d = rank - 1; d >= 0; d--) {
                src += stride[d];
                if (++index[d] < shape[d]) {
                    break;
                }
                src -= stride[d] * shape[d];
                index[d] = 0;
            }
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + file + ", " + tensors.size() + " tensors]";
    }
}
