package org.conceptsliders.runtime.io;

import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"lora_sd1_noxattn_conv", "lora_sd1_xattn", "lora_sdxl_xattn"})
    void sliderPtEqualsItsSafetensorsBitForBit(String folder) throws IOException {
        Map<String, TensorData> pt = TorchCheckpoint.readAll(Reference.path(folder + "/slider.pt"));
        try (SafeTensors st = SafeTensors.open(Reference.path(folder + "/slider.safetensors"))) {
            assertEquals(st.keys(), pt.keySet());
            int alphas = 0;
            for (String key : st.keys()) {
                TensorInfo info = st.info(key);
                TensorData t = pt.get(key);
                assertEquals(info.dtype(), t.dtype(), key);
                assertEquals(st.bytes(key), t.bytes(), key);
                if (key.endsWith(".alpha")) {
                    // the LoRA module's alpha buffer is 0-dim in the .pt; the fixture's .safetensors stores it as [1]
                    assertArrayEquals(new long[0], t.shape(), key);
                    assertArrayEquals(new long[]{1}, info.shape(), key);
                    alphas++;
                } else {
                    assertArrayEquals(info.shape(), t.shape(), key);
                }
            }
            assertTrue(alphas > 0);
        }
    }

    @Test
    void readsHalfBfloatStridedOffsetSharedNestedAndParameter() throws IOException {
        TorchZips.Pickle p = new TorchZips.Pickle().proto(2).op('}').mark();
        p.str("h").tensor("HalfStorage", "0", 4, 0, new long[]{2, 2}, new long[]{2, 1});
        p.str("b").tensor("BFloat16Storage", "1", 3, 0, new long[]{3}, new long[]{1});
        // a transposed view of a 2x3 storage, and a strided slice at an offset of the same storage
        p.str("t").tensor("FloatStorage", "2", 6, 0, new long[]{3, 2}, new long[]{1, 3});
        p.str("o").tensor("FloatStorage", "2", 6, 2, new long[]{2}, new long[]{2});
        p.str("p").global("torch._utils", "_rebuild_parameter").mark()
                .tensor("LongStorage", "3", 1, 0, new long[0], new long[0]).op(0x88).orderedDict().tuple().reduce();
        p.str("state_dict").orderedDict().mark().str("w")
                .tensor("FloatStorage", "2", 6, 5, new long[]{1}, new long[]{1}).str("step").integer(7).op('u');
        p.str("epoch").integer(3);
        byte[] pickle = p.op('u').stop();
        Path file = TorchZips.zip(dir.resolve("mixed.pt"), pickle, Map.of(
                "0", TorchZips.shorts(0x3c00, 0xc100, 0x7bff, 0x0001),
                "1", TorchZips.shorts(0x3f80, 0x4049, 0xff80),
                "2", TorchZips.floats(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5),
                "3", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-42).array()), Map.of());

        Map<String, TensorData> all = TorchCheckpoint.readAll(file);
        assertEquals(java.util.List.of("h", "b", "t", "o", "p", "state_dict.w"), java.util.List.copyOf(all.keySet()));
        assertArrayEquals(new float[]{1f, -2.5f, 65504f, 0x1p-24f}, all.get("h").toFloats());
        assertEquals(Dtype.F16, all.get("h").dtype());
        assertArrayEquals(new float[]{1f, 3.140625f, Float.NEGATIVE_INFINITY}, all.get("b").toFloats());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, all.get("t").toFloats());
        assertArrayEquals(new long[]{3, 2}, all.get("t").shape());
        assertArrayEquals(new float[]{2, 4}, all.get("o").toFloats());
        assertEquals(Dtype.I64, all.get("p").dtype());
        assertEquals(-42L, all.get("p").bytes().getLong(0));
        assertArrayEquals(new float[]{5}, all.get("state_dict.w").toFloats());
    }

    @Test
    void bigEndianArchivesAreSwapped() throws IOException {
        byte[] pickle = new TorchZips.Pickle().proto(2).op('}').mark()
                .str("w").tensor("FloatStorage", "0", 3, 0, new long[]{3}, new long[]{1}).op('u').stop();
        Path file = TorchZips.zip(dir.resolve("be.pt"), pickle, Map.of("0", TorchZips.floats(ByteOrder.BIG_ENDIAN, 1.5f, -2, 1e-30f)),
                Map.of("byteorder", "big".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new float[]{1.5f, -2, 1e-30f}, TorchCheckpoint.readAll(file).get("w").toFloats());
    }

    /** GLOBAL module.name, then REDUCE with a shell command that would create {@code marker}. */
    @ParameterizedTest
    @CsvSource({"os,system", "posix,system", "builtins,eval", "__builtin__,getattr", "subprocess,call"})
    void refusesGlobalsOutsideTheAllowlistBeforeAnythingRuns(String module, String name) throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle = new TorchZips.Pickle().proto(2).global(module, name)
                .str("touch " + marker).op(0x85).reduce().stop();
        Path file = TorchZips.zip(dir.resolve("evil.pt"), pickle, Map.of(), Map.of());
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains(module + "." + name), e.getMessage());
        assertTrue(e.getMessage().contains("evil.pt"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void refusesStackGlobalOutsideTheAllowlist() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle = new TorchZips.Pickle().proto(4).str("os").str("system").op(0x93)
                .str("touch " + marker).op(0x85).reduce().stop();
        Path file = TorchZips.zip(dir.resolve("evil4.pt"), pickle, Map.of(), Map.of());
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("'os.system'"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void refusesBuildAndCallingAStorageClass() throws IOException {
        byte[] build = new TorchZips.Pickle().proto(2).op('}').mark().str("w").orderedDict().op(')').op('b').op('u').stop();
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class,
                () -> TorchCheckpoint.open(TorchZips.zip(dir.resolve("build.pt"), build, Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("BUILD"), e.getMessage());

        byte[] call = new TorchZips.Pickle().proto(2).global("torch", "FloatStorage").op(')').reduce().stop();
        e = assertThrows(TorchCheckpointException.class,
                () -> TorchCheckpoint.open(TorchZips.zip(dir.resolve("call.pt"), call, Map.of(), Map.of())));
        assertTrue(e.getMessage().contains("call.pt"), e.getMessage());
    }

    @Test
    void truncatedZipNamesTheFile() throws IOException {
        byte[] whole = Files.readAllBytes(Reference.path("lora_sd1_xattn/slider.pt"));
        Path file = Files.write(dir.resolve("cut.pt"), Arrays.copyOf(whole, whole.length / 2));
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("cut.pt") && e.getMessage().contains("zip"), e.getMessage());
    }

    @Test
    void notZipAndLegacyFormatAreRefusedClearly() throws IOException {
        Path text = Files.writeString(dir.resolve("text.pt"), "hello");
        assertTrue(assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(text))
                .getMessage().contains("not a zip archive"));
        Path legacy = Files.write(dir.resolve("legacy.pt"), new TorchZips.Pickle().proto(2).integer(1).stop());
        assertTrue(assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.open(legacy))
                .getMessage().contains("legacy"));
    }

    @Test
    void missingOrShortStorageAndOutOfRangeViewNameTheTensor() throws IOException {
        byte[] pickle = new TorchZips.Pickle().proto(2).op('}').mark()
                .str("gone").tensor("FloatStorage", "9", 2, 0, new long[]{2}, new long[]{1})
                .str("short").tensor("FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1})
                .str("past").tensor("FloatStorage", "1", 2, 1, new long[]{2}, new long[]{1})
                .op('u').stop();
        Path file = TorchZips.zip(dir.resolve("bad.pt"), pickle, Map.of(
                "0", TorchZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2),
                "1", TorchZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2)), Map.of());
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            for (String key : ckpt.keys()) {
                TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> ckpt.read(key));
                assertEquals(key, e.tensor());
                assertTrue(e.getMessage().contains("bad.pt"), e.getMessage());
            }
        }
    }
}
