package org.conceptsliders.fiji.command;

import org.conceptsliders.fiji.PairTraining;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Plugins>Concept Sliders>Train Slider from Image Pairs...: see {@link PairTraining}. */
@Plugin(type = Command.class, menuPath = "Plugins>Concept Sliders>Train Slider from Image Pairs...", headless = true)
public final class TrainFromPairsCommand extends TrainingCommand {

    @Parameter(label = "Less of the concept (open stack title or folder)")
    private String low = "";

    @Parameter(label = "More of the concept (open stack title or folder)")
    private String high = "";

    @Parameter(label = "Prompt describing the images (may be empty)", required = false)
    private String prompt = "";

    @Parameter(label = "Symmetry weight (0: the paper's objective)", min = "0")
    private double symmetry = 0;

    @Parameter(label = "Slider file", type = ItemIO.OUTPUT)
    private String file;

    @Override
    public void run() {
        java.nio.file.Path out = execute(new PairTraining());
        file = out == null ? null : out.toString();
    }
}
