package org.conceptsliders.cli;

import java.util.List;

/** The subcommands, in the order --help lists them. */
final class Subcommands {
    private Subcommands() {
    }

    static List<Object> all() {
        return List.of(new GenerateCommand(), new SweepCommand(), new EditCommand(), new ConvertCommand(), new ForwardCommand(),
                new TokenizeCommand(), new TrainTextCommand(), new TrainPairsCommand(), new BenchCommand(), new BenchPipelineCommand(),
                new BenchTrainCommand(), new BenchSlidersCommand(), new ShapesCommand());
    }
}
