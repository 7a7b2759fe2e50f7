package org.conceptsliders.fiji.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import org.conceptsliders.fiji.Field;
import org.conceptsliders.fiji.Operation;
import org.conceptsliders.fiji.StudioCache;
import org.conceptsliders.fiji.Values;

import java.awt.GraphicsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * An {@link Operation} as a plain ImageJ 1.x plugin: values from the macro options (a macro
 * never opens a dialog: a missing key takes its default) or from a dialog that remembers the
 * last values; recorded as {@code run("Label", "key=value ...")} with the same keys as the
 * SciJava command. Interactive runs work in a thread of their own, macros synchronously so that
 * the next macro line sees the result. Needs nothing but ij.jar and this plugin's own jars.
 */
public abstract class Ij1Plugin<T> implements PlugIn {

    private static final String PREFS = "conceptsliders.last.";

    private final Operation<T> operation;

    protected Ij1Plugin(Operation<T> operation) {
        this.operation = operation;
    }

    @Override
    public void run(String arg) {
        String options = Macro.getOptions();
        if (options != null || IJ.isMacro() || GraphicsEnvironment.isHeadless()) {
            execute(Values.ofMacro(options));
            return;
        }
        Map<String, String> chosen = ask();
        if (chosen == null) {
            return;
        }
        if (Recorder.record) {
            Recorder.resetCommandOptions(); // the dialog recorded its labels; the keys are ours
            record(chosen);
        }
        Thread worker = new Thread(() -> execute(Values.of(chosen)), "Concept Sliders: " + operation.label());
        worker.start();
    }

    /** Records each value under its key, as ImageJ's recorder writes options. */
    public static void record(Map<String, String> values) {
        values.forEach(Recorder::recordOption);
    }

    /** Runs the operation and shows its result; a problem the user can fix becomes a message. */
    void execute(Values values) {
        try {
            show(operation.run(values, StudioCache.shared()));
        } catch (CancellationException e) {
            IJ.showStatus("Concept Sliders: cancelled");
            IJ.log("Concept Sliders: " + operation.label() + " cancelled; nothing was made.");
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException | UncheckedIOException e) {
            fail(e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            IJ.log("Concept Sliders: " + operation.label() + " failed unexpectedly. Please report this with the lines below.\n" + trace);
            fail(e + (e instanceof OutOfMemoryError ? ". Try a smaller image or fewer steps, or give ImageJ more memory (Edit>Options>Memory)." : ". Details are in the Log window."));
        }
    }

    /** Says what went wrong and stops the calling macro, which must not go on without the result. */
    private void fail(String message) {
        if (GraphicsEnvironment.isHeadless()) { // ImageJ's error dialog cannot open: the Log is the message
            IJ.log("Concept Sliders: " + operation.label() + ": " + message);
            if (IJ.isMacro()) {
                Interpreter.abort();
            }
        } else {
            IJ.error("Concept Sliders: " + operation.label(), message);
        }
    }

    private static void show(Object result) {
        if (result instanceof ImagePlus imp) {
            imp.show();
        } else if (result != null && !(result instanceof String)) { // listings are logged by the operation
            IJ.log("Concept Sliders: wrote " + result);
        }
    }

    private Map<String, String> ask() {
        List<Field> fields = operation.fields();
        GenericDialog gd = new GenericDialog("Concept Sliders: " + operation.label());
        String[] titles = WindowManager.getImageTitles();
        for (Field f : fields) {
            String last = Prefs.get(PREFS + f.key(), f.dflt());
            switch (f.kind()) {
                case FLAG -> gd.addCheckbox(f.label(), Boolean.parseBoolean(last));
                case CHOICE -> gd.addChoice(f.label(), f.choices().toArray(String[]::new),
                        f.choices().contains(last) ? last : f.dflt());
                case IMAGE -> {
                    if (titles.length > 0) {
                        ImagePlus current = WindowManager.getCurrentImage();
                        gd.addChoice(f.label(), titles, current != null ? current.getTitle() : titles[0]);
                    }
                }
                default -> gd.addStringField(f.label(), last, Math.max(12, Math.min(40, last.length() + 4)));
            }
        }
        gd.showDialog();
        if (gd.wasCanceled()) {
            return null;
        }
        Map<String, String> chosen = new LinkedHashMap<>();
        for (Field f : fields) {
            String value = switch (f.kind()) {
                case FLAG -> Boolean.toString(gd.getNextBoolean());
                case CHOICE -> gd.getNextChoice();
                case IMAGE -> titles.length > 0 ? gd.getNextChoice() : "";
                default -> gd.getNextString();
            };
            chosen.put(f.key(), value);
            if (f.kind() != Field.Kind.IMAGE) {
                Prefs.set(PREFS + f.key(), value);
            }
        }
        return chosen;
    }

    /** The operation's menu label. */
    public String label() {
        return operation.label();
    }
}
