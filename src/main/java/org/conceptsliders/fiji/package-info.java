/**
 * Concept Sliders in Fiji and plain ImageJ 1.x.
 *
 * <p>Each menu command is an {@link org.conceptsliders.fiji.Operation} (its fields = macro keys,
 * labels and defaults, and its work), run by a thin SciJava command ({@code command} package,
 * menu {@code Plugins>Concept Sliders>...}) and by an ImageJ 1.x plugin ({@code ij1} package,
 * listed in {@code plugins.config} under the same parent menu and label, so that Fiji keeps one
 * entry). Operations, {@link org.conceptsliders.fiji.Values}, {@link org.conceptsliders.fiji.StudioCache}
 * and {@link org.conceptsliders.fiji.ImagePlusConversion} use ij.jar only; scijava and imglib2
 * stay in the command package, the service and {@link org.conceptsliders.fiji.ArgbImgs}.
 *
 * <p>Images: any type becomes RGB as displayed (grey through its display range and LUT);
 * sides are reflect-padded up to the next multiple of 8 and results cropped back, so a result
 * has the input's size, its title plus "-sliders" and its calibration.
 *
 * <p>Macros: keys are the lower-case field names; integers accept "7.0"; booleans are
 * {@code key=true|false} or a bare {@code key}; a missing key takes its default, and in Fiji
 * {@link org.conceptsliders.fiji.command.MacroDefaultsPreprocessor} resolves the inputs a macro
 * leaves out, so no dialog opens. In a headless JVM an error goes to the Log and stops the macro.
 *
 * <p>Not verified inside Fiji (its legacy layer is not on Maven Central): the "Overriding"
 * of the plugins.config entries, the recording by Fiji's MacroRecorder pre/postprocessors, and
 * that the MacroDefaultsPreprocessor runs on the macro's thread (as Fiji's MacroPreprocessor,
 * which reads the same {@code IJ.isMacro()}). In Fiji's {@code --headless} mode outputs are
 * never shown; use ImageJ 1.x {@code -batch} for chains of commands.
 */
package org.conceptsliders.fiji;
