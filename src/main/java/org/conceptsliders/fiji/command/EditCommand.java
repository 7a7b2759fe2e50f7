package org.conceptsliders.fiji.command;

import ij.ImagePlus;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.conceptsliders.fiji.Edit;

/** Plugins>Concept Sliders>Edit Image with Sliders...: see {@link Edit}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Edit Image with Sliders...", headless = true)
public final class EditCommand extends PromptedCommand {

    @Parameter(label = "Image title (empty: the current image)", required = false)
    private String image = "";

    @Parameter(label = "Every slice of the stack")
    private boolean stack = true;

    @Parameter(label = "Latent fit steps (0: the encoder's latent)", min = "0")
    private int latent_fit = 0;

    @Parameter(label = "Inversion fixed-point iterations", min = "0", max = "20")
    private int fixed_point = 1;

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
