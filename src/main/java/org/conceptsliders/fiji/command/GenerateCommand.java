package org.conceptsliders.fiji.command;

import ij.ImagePlus;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.conceptsliders.fiji.Generation;

/** Plugins>Concept Sliders>Generate...: see {@link Generation}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Generate...", headless = true)
public final class GenerateCommand extends SliderCommand {

    @Parameter(label = "Model (folder or name; empty: embedded)", required = false)
    private String model = "";

    @Parameter(label = "Device", choices = {"auto", "cpu", "gpu"})
    private String device = "auto";

    @Parameter(label = "Prompt")
    private String prompt = "a photo of a person, high quality";

    @Parameter(label = "Negative prompt", required = false)
    private String negative = "";

    @Parameter(label = "Seed", style = "format:0")
    private double seed = 42;

    @Parameter(label = "Steps", min = "1", style = "format:0")
    private double steps = 30;

    @Parameter(label = "Guidance scale")
    private double guidance = 7.5;

    @Parameter(label = "Width (multiple of 8; 0: the model's native size)", min = "0", stepSize = "8", style = "format:0")
    private double width = 0;

    @Parameter(label = "Height (multiple of 8; 0: the model's native size)", min = "0", stepSize = "8", style = "format:0")
    private double height = 0;

    @Parameter(label = "Scheduler (empty: the model's own)", choices = {"", "ddim", "euler"}, required = false)
    private String scheduler = "";

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
