package org.conceptsliders.fiji;

import java.util.List;

/**
 * What one menu command does, shared by its SciJava command and its ImageJ 1.x plugin: both
 * read the same {@link #fields()} (macro keys, labels, defaults) and call {@link #run}. Plain
 * Java and ImageJ 1.x only, so that the ImageJ 1.x plugins load without scijava or imglib2.
 *
 * @param <T> the result: an {@code ImagePlus}, the path of a written slider, or a listing
 */
public interface Operation<T> {

    /** The leaf of the menu path and of the {@code plugins.config} line, e.g. "Generate...". */
    String label();

    List<Field> fields();

    /**
     * Validates every value before any work (a user's mistake is an
     * {@link IllegalArgumentException} or {@link IllegalStateException} that says what to do),
     * then does the work, reporting progress on ImageJ's status bar.
     */
    T run(Values values, StudioCache cache);
}
