package org.conceptsliders.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of one model component: a single {@code .safetensors} file or the shards listed by
 * a {@code *.safetensors.index.json} ({@code weight_map}: tensor name -> shard file).
 */
public final class WeightSource implements Closeable {

    private final Path origin;
    private final Map<String, SafeTensors> byKey;
    /** Exposed name -> name stored in the file; differs only in a {@link #renamed} view. */
    private final Map<String, String> storedName;
    private final Set<SafeTensors> files;

    private WeightSource(Path origin, Map<String, SafeTensors> byKey, Set<SafeTensors> files) {
        this(origin, byKey, identity(byKey.keySet()), files);
    }

    private WeightSource(Path origin, Map<String, SafeTensors> byKey, Map<String, String> storedName, Set<SafeTensors> files) {
        this.origin = origin;
        this.byKey = byKey;
        this.storedName = storedName;
        this.files = files;
    }

    private static Map<String, String> identity(Set<String> keys) {
        Map<String, String> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, k));
        return m;
    }

    /**
     * A view of the same files whose tensors are exposed under {@code rename(name)}, for
     * checkpoints that spell some weights the older way (e.g. a VAE's {@code query} for
     * {@code to_q}). The view shares the open files: closing either closes both.
     *
     * @throws SafeTensorsException if two tensors would get the same name
     */
    public WeightSource renamed(java.util.function.UnaryOperator<String> rename) throws SafeTensorsException {
        Map<String, SafeTensors> newByKey = new LinkedHashMap<>();
        Map<String, String> newStored = new LinkedHashMap<>();
        for (Map.Entry<String, SafeTensors> e : byKey.entrySet()) {
            String name = rename.apply(e.getKey());
            if (newByKey.put(name, e.getValue()) != null) {
                throw new SafeTensorsException(origin, name, "two tensors map to this name after renaming");
            }
            newStored.put(name, storedName.get(e.getKey()));
        }
        return new WeightSource(origin, newByKey, newStored, files);
    }

    /** Opens a {@code .safetensors} file or a {@code .safetensors.index.json} shard index. */
    public static WeightSource open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": weight file not found");
        }
        if (file.getFileName().toString().endsWith(".index.json")) {
            return openSharded(file);
        }
        SafeTensors st = SafeTensors.open(file);
        Map<String, SafeTensors> byKey = new LinkedHashMap<>();
        for (String k : st.keys()) {
            byKey.put(k, st);
        }
        return new WeightSource(file, byKey, Set.of(st));
    }

    /**
     * Opens the weights of a diffusers component folder by the file stem it uses (e.g.
     * {@code diffusion_pytorch_model}): {@code stem.safetensors}, its shard index, or the
     * {@code .fp16} variants, in that order of preference.
     */
    public static WeightSource openComponent(Path dir, String stem) throws IOException {
        java.util.List<String> names = java.util.List.of(stem + ".safetensors", stem + ".safetensors.index.json",
                stem + ".fp16.safetensors", stem + ".fp16.safetensors.index.json");
        for (String name : names) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return open(p);
            }
        }
        throw new java.io.FileNotFoundException(dir + ": no weights (looked for " + String.join(", ", names) + ")");
    }

    private static WeightSource openSharded(Path index) throws IOException {
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.toFile());
        com.fasterxml.jackson.databind.JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafeTensorsException(index, "weight_map", "shard index has no weight_map object");
        }
        Map<String, SafeTensors> shards = new LinkedHashMap<>();
        Map<String, SafeTensors> byKey = new LinkedHashMap<>();
        try {
            for (var it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String shardName = e.getValue().asText();
                Path shard = index.resolveSibling(shardName).normalize();
                if (!shard.getParent().equals(index.toAbsolutePath().getParent()) && !shard.startsWith(index.getParent())) {
                    throw new SafeTensorsException(index, e.getKey(), "shard '" + shardName + "' lies outside the model folder");
                }
                SafeTensors st = shards.get(shardName);
                if (st == null) {
                    if (!Files.isRegularFile(shard)) {
                        throw new SafeTensorsException(index, e.getKey(), "shard file '" + shardName + "' is missing");
                    }
                    st = SafeTensors.open(shard);
                    shards.put(shardName, st);
                }
                if (!st.contains(e.getKey())) {
                    throw new SafeTensorsException(shard, e.getKey(), "listed in " + index.getFileName() + " but not in the shard");
                }
                byKey.put(e.getKey(), st);
            }
        } catch (IOException | RuntimeException e) {
            for (SafeTensors st : shards.values()) {
                st.close();
            }
            throw e;
        }
        return new WeightSource(index, byKey, new LinkedHashSet<>(shards.values()));
    }

    public Path origin() {
        return origin;
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(byKey.keySet());
    }

    public boolean contains(String key) {
        return byKey.containsKey(key);
    }

    public TensorInfo info(String key) {
        return file(key).info(storedName.get(key));
    }

    /** The file that holds {@code key}, for error messages. */
    public SafeTensors file(String key) {
        SafeTensors st = byKey.get(key);
        if (st == null) {
            throw new java.util.NoSuchElementException(origin + ": no tensor '" + key + "'");
        }
        return st;
    }

    public NDArray load(String key, NDManager manager, ai.djl.ndarray.types.DataType type) throws IOException {
        return file(key).load(storedName.get(key), manager, type);
    }

    /** Metadata of the first file (shards of one model carry the same). */
    public Map<String, String> metadata() {
        return files.isEmpty() ? Map.of() : files.iterator().next().metadata();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafeTensors st : files) {
            try {
                st.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
