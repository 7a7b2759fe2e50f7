package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor to be written: dtype and shape are known up front (they make the file header), the
 * bytes are asked for only when the writer reaches this tensor, so that writing a large model
 * holds one tensor's bytes at a time.
 */
public interface TensorSource {

    Dtype dtype();

    long[] shape();

    /**
     * The contiguous little-endian data, row-major, exactly {@code elementCount * dtype.bytes()}
     * bytes from position to limit. Called once per write.
     */
    ByteBuffer bytes() throws IOException;

    /** An array written as its dtype and shape; its bytes are copied out of native memory at write time. */
    static TensorSource of(NDArray array) {
        Dtype dtype = Dtype.of(array.getDataType());
        long[] shape = array.getShape().getShape();
        return new TensorSource() {
            @Override
            public Dtype dtype() {
                return dtype;
            }

            @Override
            public long[] shape() {
                return shape.clone();
            }

            @Override
            public ByteBuffer bytes() {
                // DJL hands out native order; the file is little-endian whatever the machine
                ByteBuffer b = array.toByteBuffer();
                return b.order() == ByteOrder.LITTLE_ENDIAN || dtype.bytes() == 1 ? b : TensorData.swapped(b, dtype.bytes());
            }
        };
    }
}
