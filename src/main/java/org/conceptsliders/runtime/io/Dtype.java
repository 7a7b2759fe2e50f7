package org.conceptsliders.runtime.io;

import ai.djl.ndarray.types.DataType;

/** The safetensors dtypes this project reads and writes, with their JSON spelling. */
public enum Dtype {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    BF16(2, DataType.BFLOAT16),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I16(2, DataType.INT16),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int bytes;
    private final DataType djl;

    Dtype(int bytes, DataType djl) {
        this.bytes = bytes;
        this.djl = djl;
    }

    public int bytes() {
        return bytes;
    }

    /** DJL's type; BF16 names BFLOAT16, which DJL 0.36's PyTorch engine cannot create (arrays are widened to FLOAT32). */
    public DataType djl() {
        return djl;
    }

    public static Dtype of(DataType type) {
        for (Dtype d : values()) {
            if (d.djl == type) {
                return d;
            }
        }
        throw new IllegalArgumentException("no safetensors dtype for " + type);
    }
}
