package org.conceptsliders.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One named weight of a {@link Module}: the shape the architecture expects, how to initialise
 * it when a model is trained from scratch, and the array once loaded.
 */
public final class Parameter {

    /** How a parameter starts before training (PyTorch's defaults for each layer kind). */
    public enum Init {
        /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): torch.nn.Linear / Conv2d weights and biases. */
        FAN_IN_UNIFORM,
        /** N(0, 0.02): embeddings, as CLIP initialises them. */
        NORMAL_002,
        ONES,
        ZEROS
    }

    private final Shape shape;
    private final Init init;
    private final long fanIn;
    private NDArray value;

    Parameter(Shape shape, Init init, long fanIn) {
        this.shape = shape;
        this.init = init;
        this.fanIn = fanIn;
    }

    /**
     * A free-standing variable that is no module's weight (a latent fitted by gradient descent),
     * holding {@code value}; the caller keeps ownership of the array.
     */
    public static Parameter of(NDArray value) {
        Parameter p = new Parameter(value.getShape(), Init.ZEROS, 1);
        p.set(value);
        return p;
    }

    public Shape shape() {
        return shape;
    }

    public Init init() {
        return init;
    }

    public long fanIn() {
        return fanIn;
    }

    /** The loaded array; throws if the module was never loaded or initialised. */
    public NDArray value() {
        if (value == null) {
            throw new IllegalStateException("parameter of shape " + shape + " was never loaded");
        }
        return value;
    }

    public boolean isSet() {
        return value != null;
    }

    /** Replaces the array; the caller keeps ownership of the previous one. */
    public void set(NDArray array) {
        if (!array.getShape().equals(shape)) {
            throw new IllegalArgumentException("expected shape " + shape + ", found " + array.getShape());
        }
        this.value = array;
    }
}
