package org.conceptsliders.runtime.config;

import java.nio.file.Path;

/** A config value this runtime does not support or cannot read; names the file and the key. */
public final class ConfigException extends IllegalArgumentException {
    private final Path file;
    private final String key;

    public ConfigException(Path file, String key, String problem) {
        super(file + (key == null ? "" : ": key '" + key + "'") + ": " + problem);
        this.file = file;
        this.key = key;
    }

    public Path file() {
        return file;
    }

    public String key() {
        return key;
    }
}
