package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsWriterTest {

    @TempDir
    Path dir;

    private static TensorData raw(Dtype dtype, long[] shape, byte[] bytes) {
        return new TensorData(dtype, shape, ByteBuffer.wrap(bytes));
    }

    private static byte[] le(int width, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (width) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    /** One tensor of every dtype the project writes, a 0-dim one, an empty one, odd sizes that break alignment if ordered by name. */
    private static Map<String, TensorData> everyDtype() {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("a_f16", raw(Dtype.F16, new long[]{3}, le(2, 0x3c00, 0xc100, 0x0001)));
        t.put("b_f32", TensorData.floats(new float[]{1.5f, -0f, Float.NaN, 3e38f, 1e-45f, 7}, 2, 3));
        t.put("c_bf16", raw(Dtype.BF16, new long[]{1, 1}, le(2, 0x4049)));
        t.put("d_i64", raw(Dtype.I64, new long[]{2}, le(8, Long.MIN_VALUE, 49407)));
        t.put("e_i32", raw(Dtype.I32, new long[]{3}, le(4, -1, 0, Integer.MAX_VALUE)));
        t.put("f_alpha", TensorData.floats(new float[]{4f}));
        t.put("g_empty", raw(Dtype.F32, new long[]{0, 5}, new byte[0]));
        return t;
    }

    @Test
    void roundTripsEveryDtypeZeroDimAndMetadata() throws IOException {
        Path file = dir.resolve("all.safetensors");
        Map<String, TensorData> in = everyDtype();
        Map<String, String> meta = Map.of("format", "pt", "ss_network_alpha", "4.0", "note", "é \"quoted\"");
        SafeTensorsWriter.write(file, in, meta);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(meta, st.metadata());
            assertEquals(in.keySet(), st.keys());
            for (Map.Entry<String, TensorData> e : in.entrySet()) {
                TensorInfo info = st.info(e.getKey());
                assertEquals(e.getValue().dtype(), info.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), info.shape(), e.getKey());
                assertEquals(e.getValue().bytes(), st.bytes(e.getKey()), e.getKey());
                assertEquals(0, info.begin() % info.dtype().bytes(), "aligned " + e.getKey());
            }
            assertArrayEquals(new long[0], st.info("f_alpha").shape());
        }
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, head.getLong(0) % 8, "header length is a multiple of 8");
    }

    @Test
    void halfAndBfloatConvertToExactFloats() throws IOException {
        // F16: 1, -2.5, max 65504, smallest subnormal 2^-24, -0, inf, a NaN; BF16: 1, 3.140625, -inf, 1.0039e38-ish, tiny
        int[] half = {0x3c00, 0xc100, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00};
        float[] halfExpected = {1f, -2.5f, 65504f, 0x1p-24f, -0f, Float.POSITIVE_INFINITY, Float.NaN};
        int[] bf = {0x3f80, 0x4049, 0xff80, 0x7f00, 0x0080};
        float[] bfExpected = {1f, 3.140625f, Float.NEGATIVE_INFINITY, 0x1p127f, 0x1p-126f};
        Map<String, TensorData> in = new LinkedHashMap<>();
        in.put("h", raw(Dtype.F16, new long[]{half.length}, TorchZips.shorts(half)));
        in.put("b", raw(Dtype.BF16, new long[]{bf.length}, TorchZips.shorts(bf)));
        Path file = dir.resolve("halves.safetensors");
        SafeTensorsWriter.write(file, in, Map.of());
        assertArrayEquals(halfExpected, in.get("h").toFloats());
        assertArrayEquals(bfExpected, in.get("b").toFloats());
        try (SafeTensors st = SafeTensors.open(file)) {
            // the engine's conversion agrees with the Java one, bit for bit
            assertArrayEquals(halfExpected, st.floats("h"));
            assertArrayEquals(bfExpected, st.floats("b"));
            try (NDManager m = NDManager.newBaseManager()) {
                assertEquals(DataType.FLOAT16, st.load("h", m).getDataType());
                assertEquals(DataType.FLOAT32, st.load("b", m).getDataType(), "BF16 is widened: the engine has no bfloat16");
            }
        }
    }

    @Test
    void writesArraysIncludingNonContiguousAndScalars() throws IOException {
        Path file = dir.resolve("arrays.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            arrays.put("transposed", m.arange(6f).reshape(2, 3).transpose());
            arrays.put("half", m.create(new float[]{0.5f, -3}).toType(DataType.FLOAT16, false));
            arrays.put("scalar", m.create(4f));
            arrays.put("ids", m.create(new long[]{1, 49407}));
            arrays.put("i32", m.create(new int[]{-7}));
            SafeTensorsWriter.writeArrays(file, arrays, Map.of());
            Map<String, NDArray> back = TensorFiles.loadAll(file, m);
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                NDArray b = back.get(e.getKey());
                assertEquals(e.getValue().getDataType(), b.getDataType(), e.getKey());
                assertEquals(e.getValue().getShape(), b.getShape(), e.getKey());
                assertTrue(e.getValue().contentEquals(b), e.getKey());
            }
            assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, back.get("transposed").toFloatArray());
        }
    }

    @Test
    void failedWriteLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("slider.safetensors");
        SafeTensorsWriter.write(file, everyDtype(), Map.of("version", "1"));
        byte[] before = Files.readAllBytes(file);

        Map<String, TensorSource> failing = new LinkedHashMap<>(everyDtype());
        failing.put("zz_broken", new TensorSource() {
            @Override
            public Dtype dtype() {
                return Dtype.F32;
            }

            @Override
            public long[] shape() {
                return new long[]{1 << 20};
            }

            @Override
            public ByteBuffer bytes() throws IOException {
                throw new IOException("source failed midway");
            }
        });
        IOException e = assertThrows(IOException.class, () -> SafeTensorsWriter.write(file, failing, Map.of("version", "2")));
        assertEquals("source failed midway", e.getMessage());

        Map<String, TensorSource> wrongSize = new LinkedHashMap<>(everyDtype());
        wrongSize.put("short", lying());
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.write(file, wrongSize, Map.of()));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /** Claims four floats, delivers two. */
    private static TensorSource lying() {
        return new TensorSource() {
            @Override
            public Dtype dtype() {
                return Dtype.F32;
            }

            @Override
            public long[] shape() {
                return new long[]{4};
            }

            @Override
            public ByteBuffer bytes() {
                return ByteBuffer.allocate(8);
            }
        };
    }

    @Test
    void shardsWithAnIndexThatWeightSourceReads() throws IOException {
        Map<String, TensorData> in = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            in.put("layer" + i + ".weight", TensorData.floats(new float[]{i, i + 0.5f, -i}, 3));
        }
        Path index = SafeTensorsWriter.writeSharded(dir, "diffusion_pytorch_model", in, Map.of("format", "pt"), 24);
        assertEquals("diffusion_pytorch_model.safetensors.index.json", index.getFileName().toString());
        JsonNode json = new ObjectMapper().readTree(index.toFile());
        assertEquals(60, json.get("metadata").get("total_size").asLong());
        assertEquals("diffusion_pytorch_model-00003-of-00003.safetensors", json.get("weight_map").get("layer4.weight").asText());
        try (WeightSource source = WeightSource.open(index)) {
            assertEquals(in.keySet(), source.keys());
            assertEquals(Map.of("format", "pt"), source.metadata());
            for (String k : in.keySet()) {
                assertArrayEquals(in.get(k).toFloats(), source.file(k).floats(k), k);
            }
        }
        Path single = SafeTensorsWriter.writeSharded(dir, "small", in, Map.of(), 1 << 20);
        assertEquals(dir.resolve("small.safetensors"), single);
    }
}
