package org.conceptsliders.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A component's {@code config.json}, read with typed getters whose errors name the file, the
 * key, the value found and what is accepted. Absent keys take the diffusers default given by
 * the caller; present keys of the wrong kind are errors, never silently replaced.
 */
public final class Config {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    public Config(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    public static Config read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": config file not found");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file, null, "not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, null, "not a JSON object");
        }
        return new Config(file, root);
    }

    public Path file() {
        return file;
    }

    public JsonNode json() {
        return root;
    }

    public boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    private JsonNode node(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : n;
    }

    public ConfigException error(String key, String problem) {
        return new ConfigException(file, key, problem);
    }

    public int getInt(String key, int dflt) {
        JsonNode n = node(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            throw error(key, "expected an integer, found " + n);
        }
        return n.asInt();
    }

    public int getInt(String key) {
        requireKey(key);
        return getInt(key, 0);
    }

    public double getDouble(String key, double dflt) {
        JsonNode n = node(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw error(key, "expected a number, found " + n);
        }
        return n.asDouble();
    }

    public boolean getBoolean(String key, boolean dflt) {
        JsonNode n = node(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw error(key, "expected true or false, found " + n);
        }
        return n.asBoolean();
    }

    public String getString(String key, String dflt) {
        JsonNode n = node(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw error(key, "expected a string, found " + n);
        }
        return n.asText();
    }

    public String getString(String key) {
        requireKey(key);
        return getString(key, null);
    }

    /** A string restricted to {@code accepted}; anything else names the key and the accepted values. */
    public String getChoice(String key, String dflt, String... accepted) {
        String v = getString(key, dflt);
        if (v != null && !Arrays.asList(accepted).contains(v)) {
            throw error(key, "unsupported value \"" + v + "\" (supported: " + String.join(", ", accepted) + ")");
        }
        return v;
    }

    public List<String> getStrings(String key) {
        requireKey(key);
        return list(key, n -> {
            if (!n.isTextual()) {
                throw error(key, "expected a list of strings, found " + root.get(key));
            }
            return n.asText();
        });
    }

    public int[] getInts(String key, int[] dflt) {
        JsonNode n = node(key);
        if (n == null) {
            return dflt;
        }
        return list(key, x -> {
            if (!x.isIntegralNumber()) {
                throw error(key, "expected a list of integers, found " + n);
            }
            return x.asInt();
        }).stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * An integer or a list of integers, broadcast to {@code count} entries (diffusers accepts
     * both spellings for per-block values such as {@code attention_head_dim}).
     */
    public int[] getIntOrInts(String key, int dflt, int count) {
        JsonNode n = node(key);
        if (n == null) {
            int[] out = new int[count];
            Arrays.fill(out, dflt);
            return out;
        }
        if (n.isIntegralNumber()) {
            int[] out = new int[count];
            Arrays.fill(out, n.asInt());
            return out;
        }
        int[] v = getInts(key, null);
        if (v.length != count) {
            throw error(key, "has " + v.length + " entries, expected " + count + " (one per block)");
        }
        return v;
    }

    private <T> List<T> list(String key, Function<JsonNode, T> f) {
        JsonNode n = node(key);
        if (n == null || !n.isArray()) {
            throw error(key, "expected a list, found " + n);
        }
        List<T> out = new ArrayList<>();
        n.forEach(x -> out.add(f.apply(x)));
        return out;
    }

    public void requireKey(String key) {
        if (!has(key)) {
            throw error(key, "required key is missing");
        }
    }
}
