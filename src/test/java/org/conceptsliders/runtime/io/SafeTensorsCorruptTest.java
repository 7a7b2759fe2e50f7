package org.conceptsliders.runtime.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile or damaged safetensors files: each fails on open, naming the file and the tensor. */
class SafeTensorsCorruptTest {

    @TempDir
    Path dir;

    /** A file with header length {@code claimedLength}, header {@code json} and {@code dataBytes} zero bytes of data. */
    private Path file(String name, long claimedLength, String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(claimedLength).put(h);
        return Files.write(dir.resolve(name), b.array());
    }

    private Path file(String name, String json, int dataBytes) throws IOException {
        return file(name, json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private SafeTensorsException fails(Path file, String tensor, String phrase) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(file).close());
        assertEquals(file, e.file());
        assertEquals(tensor, e.tensor());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        if (tensor != null) {
            assertTrue(e.getMessage().contains("'" + tensor + "'"), e.getMessage());
        }
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
        return e;
    }

    @Test
    void headerLengthPastTheEndOfFile() throws IOException {
        fails(file("long.safetensors", 1000, "{}", 0), null, "does not fit");
        fails(file("negative.safetensors", -8, "{}", 0), null, "does not fit");
        fails(Files.write(dir.resolve("tiny.safetensors"), new byte[3]), null, "shorter than");
    }

    @Test
    void truncatedFileNamesTheTensorThatRunsPastTheEnd() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensorsWriter.write(good, Map.of("a", TensorData.floats(new float[]{1, 2}, 2),
                "b", TensorData.floats(new float[]{3, 4, 5}, 3)), Map.of());
        byte[] whole = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(whole, whole.length - 4));
        fails(cut, "b", "past the end");
    }

    @Test
    void headerNotJson() throws IOException {
        fails(file("garbage.safetensors", "{\"a\": [1, 2", 0), null, "not valid JSON");
        fails(file("array.safetensors", "[1, 2]  ", 0), null, "not a JSON object");
        fails(file("trailing.safetensors", "{} {\"a\":1}", 0), null, "not valid JSON");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "unknown dtype   | {\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}  | 1 | unknown dtype",
            "size mismatch   | {\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,8]}}    | 8 | does not match",
            "negative dim    | {\"w\":{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,8]}}   | 8 | non-negative integer",
            "fraction dim    | {\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}    | 4 | non-negative integer",
            "out of range    | {\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}     | 8 | past the end",
            "huge offset     | {\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[18446744073709551615,0]}} | 0 | non-negative integers",
            "end before begin| {\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}       | 4 | end before",
            "overflowing dims| {\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}} | 0 | overflows",
            "missing offsets | {\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}                              | 4 | data_offsets",
    })
    void hostileTensorEntry(String name, String json, int data, String phrase) throws IOException {
        fails(file(name.trim().replace(' ', '_') + ".safetensors", json, data), "w", phrase);
    }

    @Test
    void overlappingOffsetsNameBothTensors() throws IOException {
        Path f = file("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertTrue(fails(f, "b", "overlap").getMessage().contains("'a'"));
    }

    @Test
    void repeatedTensorNameIsRefused() throws IOException {
        fails(file("dup.safetensors", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), null, "Duplicate field 'a'");
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        fails(file("meta.safetensors", "{\"__metadata__\":{\"rank\":4}}", 0), "__metadata__", "not a string");
    }

    @Test
    void shardIndexWithAMissingShardNamesTheShard() throws IOException {
        SafeTensorsWriter.write(dir.resolve("m-00001-of-00002.safetensors"), Map.of("a", TensorData.floats(new float[]{1})), Map.of());
        Path index = Files.writeString(dir.resolve("m.safetensors.index.json"), "{\"metadata\":{\"total_size\":8},"
                + "\"weight_map\":{\"a\":\"m-00001-of-00002.safetensors\",\"b\":\"m-00002-of-00002.safetensors\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> WeightSource.open(index).close());
        assertEquals("b", e.tensor());
        assertTrue(e.getMessage().contains("m-00002-of-00002.safetensors' is missing"), e.getMessage());
        assertTrue(e.getMessage().contains(index.toString()), e.getMessage());
    }

    @Test
    void shardIndexPointingOutsideTheFolderIsRefused() throws IOException {
        Path index = Files.writeString(dir.resolve("x.safetensors.index.json"), "{\"weight_map\":{\"a\":\"../../etc/passwd\"}}");
        assertTrue(assertThrows(SafeTensorsException.class, () -> WeightSource.open(index).close())
                .getMessage().contains("outside the model folder"));
    }

    @Test
    void shardIndexThatIsNotJsonNamesTheIndex() throws IOException {
        Path index = Files.writeString(dir.resolve("y.safetensors.index.json"), "{\"weight_map\": ");
        assertTrue(assertThrows(SafeTensorsException.class, () -> WeightSource.open(index).close())
                .getMessage().contains("y.safetensors.index.json"));
    }
}
