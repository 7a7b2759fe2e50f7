package org.conceptsliders.runtime.io;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor held as contiguous little-endian bytes outside any engine: what the PyTorch checkpoint
 * reader produces, and a raw entry for {@link SafeTensorsWriter}.
 *
 * @param dtype element type
 * @param shape row-major shape; empty for a 0-dimensional tensor (one element)
 * @param data  exactly {@code elementCount() * dtype.bytes()} bytes between position and limit
 */
public record TensorData(Dtype dtype, long[] shape, ByteBuffer data) implements TensorSource {

    public TensorData {
        shape = shape.clone();
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        long expected = Math.multiplyExact(elementCount(shape), dtype.bytes());
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(dtype + " x " + Arrays.toString(shape) + " needs " + expected
                    + " bytes, got " + data.remaining());
        }
    }

    /** A float32 tensor over a copy of {@code values}. */
    public static TensorData floats(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TensorData(Dtype.F32, shape, b);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A read-only view of the bytes, positioned at the first element. */
    @Override
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long elementCount() {
        return elementCount(shape);
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * The values converted to float in Java (no engine needed): F16 and BF16 exactly, integers
     * and F64 rounded as Java's casts round, BOOL as 0/1.
     */
    public float[] toFloats() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case F64 -> (float) b.getDouble(i * 8);
                case F32 -> b.getFloat(i * 4);
                case F16 -> halfToFloat(b.getShort(i * 2));
                case BF16 -> Float.intBitsToFloat(b.getShort(i * 2) << 16);
                case I64 -> (float) b.getLong(i * 8);
                case I32 -> (float) b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8 -> b.get(i) & 0xff;
                case BOOL -> b.get(i) != 0 ? 1f : 0f;
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // subnormal: mant * 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * An array in {@code manager} holding a copy of the data, so that it outlives this record
     * (and any memory-mapped file the bytes came from) and may be modified in place. BF16 is
     * widened to FLOAT32 (exactly): DJL 0.36's PyTorch engine aborts the JVM on any bfloat16 array.
     */
    public NDArray toNDArray(NDManager manager) {
        Shape s = new Shape(shape);
        if (dtype == Dtype.BF16) {
            return Owned.floats(manager, toFloats(), s);
        }
        if (data.remaining() == 0) {
            return manager.zeros(s, dtype.djl());
        }
        ByteBuffer direct = data.isDirect() ? data
                : ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(bytes()).flip();
        if (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN && dtype.bytes() > 1) {
            direct = swapped(direct, dtype.bytes());
        }
        return Owned.bytes(manager, direct, s, dtype.djl());
    }

    /** A direct copy of {@code b} with every {@code width}-byte element reversed, in the opposite order. */
    static ByteBuffer swapped(ByteBuffer b, int width) {
        ByteBuffer src = b.slice();
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining())
                .order(b.order() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < src.remaining(); i += width) {
            for (int j = width - 1; j >= 0; j--) {
                out.put(src.get(i + j));
            }
        }
        return out.flip();
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + Arrays.toString(shape) + "]";
    }
}
