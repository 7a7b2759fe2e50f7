package org.conceptsliders.fiji.command;

import ij.IJ;
import org.scijava.Priority;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPreprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.Plugin;

/**
 * In a macro, our commands take their defaults for the keys the macro leaves out instead of
 * opening a dialog: Fiji's MacroPreprocessor (priority 2 x VERY_HIGH) resolves only the keys it
 * finds, and the input harvester (VERY_LOW) would ask for the rest. Runs between them, and
 * before the stored values of the last interactive run are loaded, so a macro gives the same
 * result on every machine.
 */
@Plugin(type = PreprocessorPlugin.class, priority = Priority.NORMAL)
public final class MacroDefaultsPreprocessor extends AbstractPreprocessorPlugin {

    @Override
    public void process(Module module) {
        if (IJ.isMacro() && module.getDelegateObject() instanceof SliderCommand) {
            resolveAll(module);
        }
    }

    static void resolveAll(Module module) {
        for (ModuleItem<?> input : module.getInfo().inputs()) {
            module.resolveInput(input.getName());
        }
    }
}
