package org.conceptsliders.sliders;

import ai.djl.ndarray.NDManager;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper's released form (.pt) against its .safetensors twin, and hostile files. */
class SliderFilesTest {
    @TempDir
    Path dir;

    @Test
    void paperPtAndSafetensorsHoldTheSameModules() throws IOException {
        for (String name : new String[]{"lora_sd1_noxattn_conv", "lora_sd1_xattn", "lora_sdxl_xattn"}) {
            try (NDManager m = NDManager.newBaseManager();
                 Slider st = Slider.load(Reference.path(name + "/slider.safetensors"), m);
                 Slider pt = Slider.load(Reference.path(name + "/slider.pt"), m)) {
                assertEquals(Slider.Format.KOHYA, pt.format());
                assertEquals(st.modules().size(), pt.modules().size(), name);
                assertEquals(st.rank(), pt.rank());
                assertEquals(st.alpha(), pt.alpha());
                assertTrue(st.unrecognizedKeys().isEmpty() && pt.unrecognizedKeys().isEmpty());
                for (int i = 0; i < st.modules().size(); i++) {
                    LoraModule a = st.modules().get(i);
                    LoraModule b = pt.modules().stream().filter(x -> x.flatName().equals(a.flatName())).findFirst().orElseThrow();
                    assertArrayEquals(a.down().toFloatArray(), b.down().toFloatArray(), a.key());
                    assertArrayEquals(a.up().toFloatArray(), b.up().toFloatArray(), a.key());
                }
            }
        }
    }

    @Test
    void aPickleThatCallsOsSystemIsRefused() throws IOException {
        // protocol 2: GLOBAL posix.system, ('touch pwned',), REDUCE, STOP
        byte[] pickle = concat(new byte[]{(byte) 0x80, 2}, "cposix\nsystem\nX".getBytes(StandardCharsets.US_ASCII),
                new byte[]{11, 0, 0, 0}, "touch pwned".getBytes(StandardCharsets.US_ASCII), new byte[]{(byte) 0x85, 'R', '.'});
        Path p = dir.resolve("evil.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("evil/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            z.putNextEntry(new ZipEntry("evil/version"));
            z.write("3\n".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> Slider.load(p, m));
            assertTrue(e.getMessage().contains("posix") && e.getMessage().contains("system"), e.getMessage());
        }
        assertTrue(Files.notExists(Path.of("pwned")) && Files.notExists(dir.resolve("pwned")));
    }

    @Test
    void aTruncatedPtIsAnErrorNotACrash() throws IOException {
        byte[] full = Files.readAllBytes(Reference.path("lora_sd1_xattn/slider.pt"));
        Path p = dir.resolve("truncated.pt");
        Files.write(p, Arrays.copyOf(full, full.length / 2));
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> Slider.load(p, m));
            assertTrue(e.getMessage().contains("truncated.pt"), e.getMessage());
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] b : parts) {
            n += b.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, o, b.length);
            o += b.length;
        }
        return out;
    }
}
