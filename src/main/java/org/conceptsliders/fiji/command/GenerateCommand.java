package org.conceptsliders.fiji.command;

import ij.ImagePlus;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.conceptsliders.fiji.Generation;

/** Plugins>Concept Sliders>Generate...: see {@link Generation}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Generate...", headless = true)
public final class GenerateCommand extends GeneratingCommand {

    @Parameter(label = "Slider (name or .safetensors file)", required = false)
    private String slider = "";

    @Parameter(label = "Slider scale")
    private double scale = 1;

    @Parameter(label = "Start noise timestep (empty: the slider's)", required = false)
    private String start_noise = "";

    @Parameter(label = "More sliders (name:scale, ...)", required = false)
    private String extra = "";

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus result;

    @Override
    public void run() {
        result = execute(new Generation());
    }
}
