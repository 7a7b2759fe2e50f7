package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorFilesTest {

    @TempDir
    Path dir;

    @Test
    void loadsTorchAndSafetensorsByContentNotName() throws IOException {
        // the .pt copied to a .safetensors name is still read as a torch archive
        Path pt = Files.copy(Reference.path("lora_sd1_noxattn_conv/slider.pt"), dir.resolve("renamed.safetensors"));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> fromPt = TensorFiles.loadAll(pt, m);
            Map<String, NDArray> fromSt = TensorFiles.loadAll(Reference.path("lora_sd1_noxattn_conv/slider.safetensors"), m);
            assertEquals(fromSt.keySet(), fromPt.keySet());
            for (String k : fromSt.keySet()) {
                assertEquals(fromSt.get(k).getDataType(), fromPt.get(k).getDataType(), k);
                assertArrayEquals(fromSt.get(k).toFloatArray(), fromPt.get(k).toFloatArray(), k);
            }
            assertEquals(0, fromPt.values().stream().filter(a -> a.getManager() != m).count());
        }
        assertEquals(Map.of(), TensorFiles.metadata(pt));
    }

    @Test
    void metadataOfSafetensorsAndShardIndex() throws IOException {
        Map<String, TensorData> t = Map.of("a", TensorData.floats(new float[]{1, 2}, 2), "b", TensorData.floats(new float[]{3, 4}, 2));
        Path index = SafeTensorsWriter.writeSharded(dir, "model", t, Map.of("format", "pt"), 8);
        assertEquals(Map.of("format", "pt"), TensorFiles.metadata(index));
        assertEquals(Map.of("format", "pt"), TensorFiles.metadata(dir.resolve("model-00001-of-00002.safetensors")));
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new float[]{3, 4}, TensorFiles.loadAll(index, m).get("b").toFloatArray());
        }
    }

    @Test
    void badFilesFailWithTheirFormatsException() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.pt"), "not a tensor file at all");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(SafeTensorsException.class, () -> TensorFiles.loadAll(junk, m));
            assertThrows(java.io.FileNotFoundException.class, () -> TensorFiles.loadAll(dir.resolve("absent.pt"), m));
        }
    }
}
