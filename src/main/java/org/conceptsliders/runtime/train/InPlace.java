package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/** Writes into existing arrays, so that modules and optimizers keep their references. */
final class InPlace {
    private static final NDIndex ALL = new NDIndex("...");

    private InPlace() {
    }

    /** target[...] = source, cast to target's dtype and device (torch's {@code copy_}). */
    static void copy(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException("cannot copy " + source.getShape() + " into " + target.getShape());
        }
        try (NoGrad ignored = NoGrad.enter()) {
            NDArray cast = source.toDevice(target.getDevice(), false).toType(target.getDataType(), false);
            target.set(ALL, cast);
            if (cast != source) {
                cast.close();
            }
        }
    }

    /** A float32 copy of {@code a} owned by {@code manager}. */
    static NDArray float32Copy(NDArray a, NDManager manager) {
        try (NoGrad ignored = NoGrad.enter()) {
            NDArray c = a.toType(DataType.FLOAT32, true);
            c.attach(manager);
            return c;
        }
    }
}
