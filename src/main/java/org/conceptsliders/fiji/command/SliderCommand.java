package org.conceptsliders.fiji.command;

import ij.IJ;
import org.conceptsliders.fiji.ConceptSlidersService;
import org.conceptsliders.fiji.Field;
import org.conceptsliders.fiji.Operation;
import org.conceptsliders.fiji.Values;
import org.scijava.command.ContextCommand;
import org.scijava.plugin.Parameter;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * A menu command as a thin SciJava command: its {@code @Parameter} fields are named after the
 * {@link Operation}'s macro keys and are handed to it as text, so that the SciJava command and
 * the ImageJ 1.x plugin read values the same way. A problem the user can fix cancels the
 * command with the reason (Fiji shows it); a bug propagates and is logged.
 */
public abstract class SliderCommand extends ContextCommand {

    @Parameter
    private ConceptSlidersService service;

    protected <T> T execute(Operation<T> operation) {
        try {
            return operation.run(Values.of(inputs(operation)), service.cache());
        } catch (CancellationException e) {
            cancel("Cancelled: nothing was made.");
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException | UncheckedIOException e) {
            IJ.log("Concept Sliders: " + operation.label() + ": " + e.getMessage());
            cancel(e.getMessage());
        }
        return null;
    }

    /** This command's input fields as text, keyed and ordered by the operation's fields. */
    Map<String, String> inputs(Operation<?> operation) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Field f : operation.fields()) {
            try {
                java.lang.reflect.Field field = declared(f.key());
                field.setAccessible(true);
                Object v = field.get(this);
                m.put(f.key(), v instanceof Double d ? Values.format(d) : String.valueOf(v == null ? "" : v));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(getClass().getSimpleName() + " lacks the input field '" + f.key() + "'", e);
            }
        }
        return m;
    }

    /** The input field {@code key} of this command or of the command class it extends. */
    private java.lang.reflect.Field declared(String key) throws NoSuchFieldException {
        for (Class<?> c = getClass(); c != SliderCommand.class; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(key);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(key);
    }
}
