package org.conceptsliders.runtime.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A SHA-256 over strings and streams, for keys that must change whenever content does. */
public final class Sha256 {
    private final MessageDigest digest;

    public Sha256() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public Sha256 add(String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Reads {@code in} to its end and closes it. */
    public Sha256 add(InputStream in) throws IOException {
        try (InputStream s = in) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = s.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return this;
    }

    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
