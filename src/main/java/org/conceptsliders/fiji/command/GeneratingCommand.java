package org.conceptsliders.fiji.command;

import org.scijava.plugin.Parameter;

/** A command that draws its image from noise: the seed and the size of the image. */
public abstract class GeneratingCommand extends PromptedCommand {

    @Parameter(label = "Seed", style = "format:0")
    private double seed = 42;

    @Parameter(label = "Width (multiple of 8; 0: the model's native size)", min = "0", stepSize = "8", style = "format:0")
    private double width = 0;

    @Parameter(label = "Height (multiple of 8; 0: the model's native size)", min = "0", stepSize = "8", style = "format:0")
    private double height = 0;
}
