package org.conceptsliders.runtime.pipeline;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Cooperative cancel: long work calls {@link #check()} between steps, which throws
 * {@link CancellationException}; the work's native memory lives in sub-managers closed by
 * try-with-resources on the way out, so a cancel frees it.
 */
public final class CancelToken {
    private volatile boolean cancelled;
    private final BooleanSupplier external;

    public CancelToken() {
        this(() -> false);
    }

    /** A token that is also cancelled whenever {@code external} says so (e.g. ImageJ's Escape key). */
    public CancelToken(BooleanSupplier external) {
        this.external = external;
    }

    public static CancelToken none() {
        return new CancelToken();
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled || external.getAsBoolean();
    }

    public void check() {
        if (isCancelled()) {
            throw new CancellationException("cancelled");
        }
    }
}
