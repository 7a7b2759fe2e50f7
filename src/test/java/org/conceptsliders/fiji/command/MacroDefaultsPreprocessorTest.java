package org.conceptsliders.fiji.command;

import ij.IJ;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** In a macro no dialog may open: every input of our commands counts as resolved. */
public class MacroDefaultsPreprocessorTest {

    static CommandService commands;

    /** Called from the macro below: the inputs left unresolved after our preprocessor ran. */
    public static String unresolvedInAMacro() throws Exception {
        Module m = commands.getCommand(GenerateCommand.class).createModule();
        new MacroDefaultsPreprocessor().process(m);
        List<String> left = new ArrayList<>();
        for (ModuleItem<?> in : m.getInfo().inputs()) {
            if (!m.isInputResolved(in.getName())) {
                left.add(in.getName());
            }
        }
        return "left:" + left;
    }

    @Test
    void everyInputIsResolvedInAMacroAndNoneOutside() throws Exception {
        try (Context context = new Context(CommandService.class)) {
            commands = context.getService(CommandService.class);
            assertEquals("left:[]", IJ.runMacro("return call('" + getClass().getName() + ".unresolvedInAMacro');"));
            assertNotEquals("left:[]", unresolvedInAMacro(), "outside a macro the dialog asks as usual");
        }
    }
}
