package org.conceptsliders.sliders;

import org.conceptsliders.runtime.io.AtomicFiles;
import org.conceptsliders.runtime.io.Sha256;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The default model that ships inside the jar: a tiny SD-architecture model trained by this
 * project on the shapes world (docs/embedded-model.md). The runtime memory-maps weight files, so
 * the folder is copied once out of the jar into a cache folder keyed by its content listing.
 */
public final class EmbeddedModel {
    /** Resource folder of the model; {@code files.txt} in it lists its files. */
    static final String RESOURCE = "/org/conceptsliders/models/shapes64/";

    private EmbeddedModel() {
    }

    /** The model as a folder on disk (extracted on first use). */
    public static synchronized Path folder() throws IOException {
        List<String> files = listing();
        String key = contentHash(files);
        Path dir = cacheRoot().resolve("shapes64-" + key);
        if (Files.isRegularFile(dir.resolve("model_index.json"))) {
            return dir;
        }
        try {
            AtomicFiles.write(dir, tmp -> {
                for (String f : files) {
                    Path target = tmp.resolve(f);
                    Files.createDirectories(target.getParent());
                    try (InputStream in = open(f)) {
                        Files.copy(in, target);
                    }
                }
            });
        } catch (IOException e) {
            // another process extracted it first
            if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
                throw e;
            }
        }
        return dir;
    }

    private static List<String> listing() throws IOException {
        try (InputStream in = open("files.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(l -> !l.isEmpty()).toList();
        }
    }

    /** SHA-256 of the names and bytes of every file: a retrained model never reuses an older extraction. */
    private static String contentHash(List<String> files) throws IOException {
        Sha256 hash = new Sha256();
        for (String f : files) {
            hash.add(f).add(open(f));
        }
        return hash.hex().substring(0, 16);
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = EmbeddedModel.class.getResourceAsStream(RESOURCE + name);
        if (in == null) {
            throw new FileNotFoundException("embedded model: resource " + RESOURCE + name
                    + " is missing from this build (see docs/embedded-model.md)");
        }
        return in;
    }

    /** $CONCEPT_SLIDERS_CACHE, else ~/.cache/concept-sliders. */
    static Path cacheRoot() {
        String env = System.getenv("CONCEPT_SLIDERS_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "concept-sliders");
    }
}
