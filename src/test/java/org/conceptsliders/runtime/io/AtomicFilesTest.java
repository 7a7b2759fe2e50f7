package org.conceptsliders.runtime.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndCreatesItsFolder() throws IOException {
        Path file = dir.resolve("sub/out.bin");
        AtomicFiles.write(file, tmp -> {
            assertFalse(Files.exists(tmp), "the writer gets a fresh path");
            assertEquals(file.toAbsolutePath().getParent(), tmp.getParent(), "same folder, same file system");
            Files.write(tmp, new byte[] {1});
        });
        AtomicFiles.write(file, tmp -> Files.write(tmp, new byte[] {2, 3}));
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(file));
        assertEquals(List.of(file), list(file.getParent()));
    }

    @Test
    void failedWriteKeepsThePreviousFileAndLeavesNoTemporary() throws IOException {
        Path file = dir.resolve("out.bin");
        AtomicFiles.write(file, tmp -> Files.write(tmp, new byte[] {1, 2}));
        IOException failure = new IOException("disk full");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, tmp -> {
            Files.write(tmp, new byte[] {9});
            throw failure;
        }));
        assertSame(failure, e);
        RuntimeException bug = new IllegalStateException("bug");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, tmp -> {
            Files.createDirectories(tmp.resolve("a"));
            Files.write(tmp.resolve("a/b"), new byte[] {9});
            throw bug;
        })));
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(file));
        assertEquals(List.of(file), list(dir));
    }

    @Test
    void writesAFolder() throws IOException {
        Path folder = dir.resolve("model");
        AtomicFiles.write(folder, tmp -> {
            Files.createDirectories(tmp.resolve("unet"));
            Files.writeString(tmp.resolve("unet/config.json"), "{}");
        });
        assertEquals("{}", Files.readString(folder.resolve("unet/config.json")));
        assertEquals(List.of(folder), list(dir));
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }
}
