package org.conceptsliders.fiji.command;

import ij.ImagePlus;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.conceptsliders.fiji.Sweep;

/** Plugins>Concept Sliders>Slider Sweep...: see {@link Sweep}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Slider Sweep...", headless = true)
public final class SweepCommand extends GeneratingCommand {

    @Parameter(label = "Slider (name or .safetensors file)", required = false)
    private String slider = "";

    @Parameter(label = "Scales (comma separated)")
    private String scales = "-2, -1, 0, 1, 2";

    @Parameter(label = "Second slider (grid; empty: none)", required = false)
    private String second = "";

    @Parameter(label = "Second slider's scales", required = false)
    private String secondscales = "-1, 0, 1";

    @Parameter(label = "Start noise timestep (empty: the slider's)", required = false)
    private String start_noise = "";

    @Parameter(label = "More sliders (name:scale, ...)", required = false)
    private String extra = "";

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus result;

    @Override
    public void run() {
        result = execute(new Sweep());
    }
}
