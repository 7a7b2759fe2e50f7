package org.conceptsliders.fiji.command;

import org.conceptsliders.fiji.PromptTraining;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins>Concept Sliders>Train Slider from Prompts...: see {@link PromptTraining}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Train Slider from Prompts...", headless = true)
public final class TrainFromPromptsCommand extends TrainingCommand {

    @Parameter(label = "Prompts config file (YAML; empty: the prompts below)", required = false)
    private String config = "";

    @Parameter(label = "Target prompt", required = false)
    private String target = "person";

    @Parameter(label = "More of the concept", required = false)
    private String enhance = "person, old";

    @Parameter(label = "Less of the concept", required = false)
    private String suppress = "person, young";

    @Parameter(label = "Slider file", type = ItemIO.OUTPUT)
    private String file;

    @Override
    public void run() {
        java.nio.file.Path out = execute(new PromptTraining());
        file = out == null ? null : out.toString();
    }
}
