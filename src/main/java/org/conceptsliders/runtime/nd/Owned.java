package org.conceptsliders.runtime.nd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.Buffer;
import java.util.function.BinaryOperator;

/**
 * Arrays made from Java values whose memory libtorch itself owns, and arithmetic with Java
 * numbers built on them. Every array this project makes from Java data goes through here
 * (ArchitectureTest holds the rule).
 *
 * <p>Why: DJL's PyTorch engine wraps a Java direct buffer with {@code torch::from_blob}
 * without copying, and only the Java {@code NDArray} object keeps that buffer alive. Its
 * {@code mul(Number)}, {@code div(Number)}, {@code clip(Number, Number)} ... make such a
 * scalar and close it at once; autograd has saved it for the backward pass, the garbage
 * collector frees the buffer, and the gradient is computed from freed memory (random
 * values, NaN now and then). Cloning gives libtorch a reference-counted copy that lives as
 * long as any tensor, view or autograd node needs it.
 */
public final class Owned {
    private Owned() {
    }

    /** A 0-dimensional float32 array of {@code value}, allocated by libtorch. */
    public static NDArray scalar(NDManager manager, float value) {
        return manager.full(new Shape(), value, DataType.FLOAT32);
    }

    public static NDArray floats(NDManager manager, float[] values, Shape shape) {
        return copy(manager, scratch -> scratch.create(values, shape));
    }

    public static NDArray floats(NDManager manager, float... values) {
        return floats(manager, values, new Shape(values.length));
    }

    public static NDArray doubles(NDManager manager, double[] values, Shape shape) {
        return copy(manager, scratch -> scratch.create(values, shape));
    }

    public static NDArray ints(NDManager manager, int[] values, Shape shape) {
        return copy(manager, scratch -> scratch.create(values, shape));
    }

    public static NDArray longs(NDManager manager, long[] values, Shape shape) {
        return copy(manager, scratch -> scratch.create(values, shape));
    }

    public static NDArray booleans(NDManager manager, boolean[] values, Shape shape) {
        return copy(manager, scratch -> scratch.create(values, shape));
    }

    /** A copy of {@code data} (its bytes in native order), e.g. a memory-mapped tensor that must outlive its file. */
    public static NDArray bytes(NDManager manager, Buffer data, Shape shape, DataType type) {
        return copy(manager, scratch -> scratch.create(data, shape, type));
    }

    public static NDArray mul(NDArray x, float value) {
        return withScalar(x, value, NDArray::mul);
    }

    public static NDArray div(NDArray x, float value) {
        return withScalar(x, value, NDArray::div);
    }

    public static NDArray add(NDArray x, float value) {
        return withScalar(x, value, NDArray::add);
    }

    public static NDArray sub(NDArray x, float value) {
        return withScalar(x, value, NDArray::sub);
    }

    /** In place: {@code x *= value}; returns {@code x}. */
    public static NDArray muli(NDArray x, float value) {
        return withScalar(x, value, NDArray::muli);
    }

    /** In place: {@code x += value}; returns {@code x}. */
    public static NDArray addi(NDArray x, float value) {
        return withScalar(x, value, NDArray::addi);
    }

    /** In place: {@code x /= value}; returns {@code x}. */
    public static NDArray divi(NDArray x, float value) {
        return withScalar(x, value, NDArray::divi);
    }

    private static NDArray withScalar(NDArray x, float value, BinaryOperator<NDArray> op) {
        // closing the handle is safe: libtorch counts the references autograd keeps
        try (NDArray s = scalar(x.getManager(), value)) {
            return op.apply(x, s);
        }
    }

    /**
     * torch.clamp. DJL's {@code clip} leaves its two bound arrays open in the manager of
     * {@code x} until that closes, so their buffers outlive the backward pass.
     */
    public static NDArray clip(NDArray x, float min, float max) {
        return x.clip(min, max);
    }

    private interface Maker {
        NDArray make(NDManager scratch);
    }

    private static NDArray copy(NDManager manager, Maker maker) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray owned = maker.make(scratch).duplicate();
            owned.attach(manager);
            return owned;
        }
    }
}
