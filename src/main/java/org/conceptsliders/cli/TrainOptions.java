package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.sliders.EmbeddedModel;
import org.conceptsliders.sliders.train.TrainingOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The options both training subcommands share (picocli mixin). */
final class TrainOptions {
    @Option(names = "--model", description = "A diffusers model folder (SD 1.x/2.x or SDXL). Default: the embedded model.")
    Path model;

    @Option(names = "--out", required = true, description = "The slider to write (.safetensors).")
    Path out;

    @Option(names = "--iterations", description = "Optimizer steps (default: the config's, else 1000).")
    Integer iterations;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of all training randomness (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue the run whose checkpoint OUT.ckpt exists (else it is discarded).")
    boolean resume;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Checkpoint every N steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--probe-every", defaultValue = "0",
            description = "Every N steps, previews at -m, 0, +m and their mean change, logged to OUT.probe.csv (default: off).")
    int probeEvery;

    @Option(names = "--probe-scale", defaultValue = "2", description = "m of the probe (default: ${DEFAULT-VALUE}).")
    double probeScale;

    @Option(names = "--stop-when-flat", defaultValue = "0",
            description = "Stop after N probes in a row with no visible change (default: never).")
    int stopWhenFlat;

    @Mixin
    DeviceOption device;

    StableDiffusionModel open() throws IOException {
        Path dir = model;
        if (dir == null) {
            try {
                dir = EmbeddedModel.folder();
            } catch (IOException e) {
                throw new IllegalArgumentException("--model: no model folder given and the embedded model is not"
                        + " available in this build (" + e.getMessage() + ")", e);
            }
        }
        return StableDiffusionModel.load(dir, device.compute());
    }

    TrainingOptions options(ConsoleProgress bar) throws IOException {
        Path ckpt = sibling(".ckpt");
        if (!resume) {
            Files.deleteIfExists(ckpt);
        } else if (!Files.exists(ckpt)) {
            throw new IllegalArgumentException("--resume: no checkpoint " + ckpt + " to resume from");
        }
        return TrainingOptions.defaults().withSeed(seed).withCheckpoint(ckpt, checkpointEvery)
                .withLossLog(sibling(".loss.csv"))
                .withProbe(probeEvery, probeScale, 20, probeEvery > 0 ? sibling(".probe.csv") : null, stopWhenFlat, 1e-3, null)
                .withProgress(bar, null);
    }

    private Path sibling(String suffix) {
        return out.resolveSibling(out.getFileName() + suffix);
    }
}
