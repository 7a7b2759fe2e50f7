package org.conceptsliders.fiji.command;

import org.scijava.plugin.Parameter;

/** The inputs every command that runs the diffusion model asks first (SciJava lists a superclass's inputs first). */
public abstract class PromptedCommand extends SliderCommand {

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
}
