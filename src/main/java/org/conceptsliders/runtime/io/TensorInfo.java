package org.conceptsliders.runtime.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Arrays;

/** One header entry of a safetensors file: dtype, shape and byte range inside the data section. */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    public long byteLength() {
        return end - begin;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    static TensorInfo parse(Path file, String name, JsonNode node) throws SafeTensorsException {
        if (!node.isObject()) {
            throw new SafeTensorsException(file, name, "header entry is not an object");
        }
        JsonNode dt = node.get("dtype");
        JsonNode sh = node.get("shape");
        JsonNode off = node.get("data_offsets");
        if (dt == null || !dt.isTextual() || sh == null || !sh.isArray() || off == null || !off.isArray() || off.size() != 2) {
            throw new SafeTensorsException(file, name, "header entry needs dtype (string), shape (array) and data_offsets ([begin, end])");
        }
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dt.asText());
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file, name, "unknown dtype '" + dt.asText() + "' (supported: "
                    + Arrays.toString(Dtype.values()) + ")");
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new SafeTensorsException(file, name, "shape " + sh + " has a dimension that is not a non-negative integer");
            }
            shape[i] = d.asLong();
        }
        for (int i = 0; i < 2; i++) {
            if (!off.get(i).isIntegralNumber() || !off.get(i).canConvertToLong() || off.get(i).asLong() < 0) {
                throw new SafeTensorsException(file, name, "data_offsets " + off + " are not non-negative integers");
            }
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (end < begin) {
            throw new SafeTensorsException(file, name, "data_offsets " + off + " end before they begin");
        }
        TensorInfo t = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(t.elementCount(), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(file, name, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (expected != t.byteLength()) {
            throw new SafeTensorsException(file, name, "size " + t.byteLength() + " bytes does not match " + dtype
                    + " x " + Arrays.toString(shape) + " = " + expected + " bytes");
        }
        return t;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
