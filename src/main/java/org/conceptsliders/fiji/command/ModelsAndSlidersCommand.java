package org.conceptsliders.fiji.command;

import org.conceptsliders.fiji.Library;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins>Concept Sliders>Models and Sliders...: see {@link Library}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Models and Sliders...", headless = true)
public final class ModelsAndSlidersCommand extends SliderCommand {

    @Parameter(label = "Models folder (empty: keep)", required = false, persist = false)
    private String models = "";

    @Parameter(label = "Sliders folder (empty: keep)", required = false, persist = false)
    private String sliders = "";

    @Parameter(label = "Models and sliders", type = ItemIO.OUTPUT)
    private String listing;

    @Override
    public void run() {
        listing = execute(new Library());
    }
}
