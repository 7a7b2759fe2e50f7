package org.conceptsliders.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The project's one way to write a file (or a folder) so that a reader, a crash or a failed
 * write never sees it half-written: the content is written under a temporary name in the
 * target's folder (same file system, so the rename is atomic), forced to disk, then renamed
 * over the target. On failure the temporary is deleted and the previous target stays intact.
 */
public final class AtomicFiles {

    /** A write to a path that may fail with an IOException. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T t) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Calls {@code writer} with a temporary path that does not exist yet, beside {@code target}
     * (its folder is created if needed), then moves what the writer created there over
     * {@code target}: atomically where the file system can, else replacing it. The writer may
     * create a file or a folder; a folder cannot replace a non-empty folder, the move throws.
     */
    public static void write(Path target, IOConsumer<Path> writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = Files.createDirectories(absolute.getParent());
        // not Files.createTempFile: its owner-only permissions would carry over to the target
        Path tmp = folder.resolve("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writer.accept(tmp);
            if (Files.isRegularFile(tmp)) {
                try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                deleteTree(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Deletes a file, or a folder with everything in it; nothing when it does not exist. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            Files.deleteIfExists(path);
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
