package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a slider run is driven, common to text and image sliders: the seed, where its checkpoint
 * goes (an existing one is resumed), the loss log, the effect probe and progress/cancel.
 *
 * @param seed            the seed of all training randomness: same seed, same slider
 * @param checkpoint      the run's checkpoint file, or null for none (then a stopped run cannot resume)
 * @param checkpointEvery save every N iterations (0: only at the end and on cancel)
 * @param lossLog         CSV of step, loss, lr, seconds; null for none
 * @param probeEvery      run the effect probe every N iterations (0: never)
 * @param probeScale      m: previews at -m, 0, +m
 * @param probeSteps      DDIM steps of each preview
 * @param probeLog        CSV of step, change[, probe]; null for none
 * @param flatPatience    stop early after this many probes in a row below {@code flatThreshold} (0: never)
 * @param flatThreshold   mean absolute change (of [0, 1] pixels) between -m and +m under which the slider counts as flat
 * @param probe           an extra measurement of the previews, or null
 */
public record TrainingOptions(long seed, Path checkpoint, int checkpointEvery, Path lossLog, int probeEvery,
                              double probeScale, int probeSteps, Path probeLog, int flatPatience, double flatThreshold,
                              Probe probe, ProgressListener progress, CancelToken cancel) {

    public TrainingOptions {
        progress = Objects.requireNonNullElse(progress, ProgressListener.NONE);
        cancel = Objects.requireNonNullElse(cancel, CancelToken.none());
        if (checkpointEvery < 0 || probeEvery < 0 || flatPatience < 0) {
            throw new IllegalArgumentException("checkpointEvery, probeEvery and flatPatience must be >= 0");
        }
        if (probeEvery > 0 && probeSteps < 1) {
            throw new IllegalArgumentException("probeSteps: must be at least 1, got " + probeSteps);
        }
    }

    /** Seed 0, no checkpoint, no logs, no probe. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(0, null, 0, null, 0, 2.0, 10, null, 0, 1e-3, null, null, null);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(s, checkpoint, checkpointEvery, lossLog, probeEvery, probeScale, probeSteps, probeLog,
                flatPatience, flatThreshold, probe, progress, cancel);
    }

    public TrainingOptions withCheckpoint(Path file, int every) {
        return new TrainingOptions(seed, file, every, lossLog, probeEvery, probeScale, probeSteps, probeLog,
                flatPatience, flatThreshold, probe, progress, cancel);
    }

    public TrainingOptions withLossLog(Path csv) {
        return new TrainingOptions(seed, checkpoint, checkpointEvery, csv, probeEvery, probeScale, probeSteps, probeLog,
                flatPatience, flatThreshold, probe, progress, cancel);
    }

    public TrainingOptions withProbe(int every, double scale, int steps, Path csv, int patience, double threshold, Probe p) {
        return new TrainingOptions(seed, checkpoint, checkpointEvery, lossLog, every, scale, steps, csv,
                patience, threshold, p, progress, cancel);
    }

    public TrainingOptions withProgress(ProgressListener l, CancelToken c) {
        return new TrainingOptions(seed, checkpoint, checkpointEvery, lossLog, probeEvery, probeScale, probeSteps, probeLog,
                flatPatience, flatThreshold, probe, l, c);
    }
}
