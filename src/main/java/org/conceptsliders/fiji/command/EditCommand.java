package org.conceptsliders.fiji.command;

import ij.ImagePlus;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.conceptsliders.fiji.Edit;

/** Plugins>Concept Sliders>Edit Image with Sliders...: see {@link Edit}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Edit Image with Sliders...", headless = true)
public final class EditCommand extends SliderCommand {

    @Parameter(label = "Image title (empty: the current image)", required = false)
    private String image = "";

    @Parameter(label = "Every slice of the stack")
    private boolean stack = true;

    @Parameter(label = "Model (folder or name; empty: embedded)", required = false)
    private String model = "";

    @Parameter(label = "Device", choices = {"auto", "cpu", "gpu"})
    private String device = "auto";

    @Parameter(label = "Prompt")
    private String prompt = "a photo of a person, high quality";

    @Parameter(label = "Negative prompt", required = false)
    private String negative = "";

    @Parameter(label = "Steps", min = "1", style = "format:0")
    private double steps = 30;

    @Parameter(label = "Guidance scale")
    private double guidance = 7.5;

    @Parameter(label = "Scheduler (empty: the model's own)", choices = {"", "ddim", "euler"}, required = false)
    private String scheduler = "";

    @Parameter(label = "Slider (name or .safetensors file)", required = false)
    private String slider = "";

    @Parameter(label = "Slider scale")
    private double scale = 1;

    @Parameter(label = "Sweep scales per slice (empty: the scale above)", required = false)
    private String scales = "";

    @Parameter(label = "Start noise timestep (empty: the slider's)", required = false)
    private String start_noise = "";

    @Parameter(label = "More sliders (name:scale, ...)", required = false)
    private String extra = "";

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus result;

    @Override
    public void run() {
        result = execute(new Edit());
    }
}
