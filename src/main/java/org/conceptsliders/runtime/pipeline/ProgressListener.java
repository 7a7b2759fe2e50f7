package org.conceptsliders.runtime.pipeline;

/** Receives {@link Progress} after each unit of long work; the CLI draws a bar, Fiji its status bar. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void onProgress(Progress progress);
}
