package org.conceptsliders.fiji.command;

import org.scijava.plugin.Parameter;

/** The inputs both training commands ask first. */
public abstract class TrainingCommand extends SliderCommand {

    @Parameter(label = "Model (folder or name; empty: embedded)", required = false)
    private String model = "";

    @Parameter(label = "Device", choices = {"auto", "cpu", "gpu"})
    private String device = "auto";

    @Parameter(label = "Iterations", min = "1", style = "format:0")
    private double iterations = 1000;

    @Parameter(label = "LoRA rank", min = "1", style = "format:0")
    private double rank = 4;

    @Parameter(label = "Slider name (file name in the sliders folder)")
    private String name = "my-slider";
}
