package org.conceptsliders.runtime.train;

import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;

/**
 * Runs a {@link TrainingStep} for a number of iterations with AdamW (and optionally an EMA):
 * each iteration's arrays live in a sub-manager closed after it, progress goes to a
 * listener, a cancel is honoured between iterations (after saving a checkpoint, then
 * {@link CancellationException}), checkpoints are written every K steps and at the end, and a
 * run given an existing checkpoint resumes from it exactly: same weights, optimizer state,
 * EMA and random stream as if it had never stopped. A CSV loss log (step, loss, lr, seconds)
 * is appended for plotting; on resume its rows after the checkpoint's step are dropped.
 */
public final class TrainingLoop {
    private static final String CSV_HEADER = "step,loss,lr,seconds";

    private final int steps;
    private final TrainingStep step;
    private final AdamW optimizer;
    private final Ema ema;
    private final TrainRandom rng;
    private final NDManager manager;
    private final Path checkpointFile;
    private final int checkpointEvery;
    private final Path lossLog;
    private final ProgressListener progress;
    private final CancelToken cancel;
    private final String config;
    private final Checkpoint checkpoint;

    /** How a finished run ended: the step reached and the last loss. */
    public record Result(int step, float loss) {
    }

    private TrainingLoop(Builder b) {
        this.steps = b.steps;
        this.step = Objects.requireNonNull(b.step, "setStep");
        this.optimizer = Objects.requireNonNull(b.optimizer, "setOptimizer");
        this.rng = Objects.requireNonNull(b.rng, "setRandom");
        this.manager = Objects.requireNonNull(b.manager, "setManager");
        this.ema = b.ema;
        this.checkpointFile = b.checkpointFile;
        this.checkpointEvery = b.checkpointEvery;
        this.lossLog = b.lossLog;
        this.progress = b.progress;
        this.cancel = b.cancel;
        this.config = b.config;
        this.checkpoint = new Checkpoint(optimizer, ema, rng, b.sink);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains up to the configured number of steps, resuming from the checkpoint file when it
     * exists. Throws {@link CancellationException} after saving when cancelled. Steps with
     * non-finite gradients are skipped by the optimizer; {@link ArithmeticException} after too
     * many in a row (nothing is saved then, so the last checkpoint stays a good one).
     */
    public Result run() throws Exception {
        int start = 0;
        double secondsBefore = 0;
        if (checkpointFile != null && Files.exists(checkpointFile)) {
            Checkpoint.Info info = checkpoint.restore(checkpointFile);
            if (config != null && info.config() != null && !config.equals(info.config())) {
                throw new IllegalArgumentException(checkpointFile + " was written by a run with another configuration;"
                        + " resume with the same settings or choose another output");
            }
            start = info.step();
            secondsBefore = info.seconds();
        }
        startLog(start);
        long t0 = System.nanoTime();
        float loss = Float.NaN;
        for (int i = start; i < steps; i++) {
            if (cancel.isCancelled()) {
                save(i, seconds(secondsBefore, t0));
                throw new CancellationException("training cancelled at step " + i + " of " + steps
                        + (checkpointFile == null ? "" : "; resume from " + checkpointFile));
            }
            try (NDManager iteration = manager.newSubManager()) {
                loss = step.run(i, rng, iteration);
            }
            double lr = optimizer.learningRate();
            if (Float.isFinite(loss)) {
                optimizer.step();  // skips, too, when the gradients are not finite
            } else {
                optimizer.skip();
            }
            if (ema != null) {
                ema.update();
            }
            double seconds = seconds(secondsBefore, t0);
            appendLog(i + 1, loss, lr, seconds);
            long elapsed = System.nanoTime() - t0;
            double rate = (i + 1 - start) / (elapsed / 1e9);
            progress.onProgress(new Progress(i + 1, steps, Double.NaN, elapsed,
                    String.format(Locale.ROOT, "loss %.4f · %.1f it/s", loss, rate)));
            if (checkpointEvery > 0 && (i + 1) % checkpointEvery == 0 && i + 1 < steps) {
                save(i + 1, seconds);
            }
        }
        save(steps, seconds(secondsBefore, t0));
        return new Result(steps, loss);
    }

    private static double seconds(double before, long t0) {
        return before + (System.nanoTime() - t0) / 1e9;
    }

    private void save(int atStep, double seconds) throws IOException {
        if (checkpointFile != null) {
            checkpoint.save(checkpointFile, new Checkpoint.Info(atStep, seconds, config));
        }
    }

    /** Creates the log with its header, or keeps the rows up to {@code start} of an existing one. */
    private void startLog(int start) throws IOException {
        if (lossLog == null) {
            return;
        }
        List<String> keep = List.of(CSV_HEADER);
        if (Files.exists(lossLog) && start > 0) {
            keep = Files.readAllLines(lossLog, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.equals(CSV_HEADER) || (!l.isBlank() && Integer.parseInt(l.substring(0, l.indexOf(','))) <= start))
                    .collect(Collectors.toList());
        }
        Files.write(lossLog, keep, StandardCharsets.UTF_8);
    }

    private void appendLog(int atStep, float loss, double lr, double seconds) throws IOException {
        if (lossLog == null) {
            return;
        }
        try (BufferedWriter w = Files.newBufferedWriter(lossLog, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(String.format(Locale.ROOT, "%d,%s,%s,%.3f%n", atStep, loss, lr, seconds));
        }
    }

    /** DJL-style builder: {@code set*} required, {@code opt*} optional. */
    public static final class Builder {
        private int steps = -1;
        private TrainingStep step;
        private AdamW optimizer;
        private Ema ema;
        private TrainRandom rng;
        private NDManager manager;
        private Path checkpointFile;
        private int checkpointEvery;
        private Path lossLog;
        private ProgressListener progress = ProgressListener.NONE;
        private CancelToken cancel = CancelToken.none();
        private String config;
        private TensorSink sink = TensorSink.SAFETENSORS;

        public Builder setSteps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            }
            this.steps = steps;
            return this;
        }

        public Builder setStep(TrainingStep step) {
            this.step = step;
            return this;
        }

        public Builder setOptimizer(AdamW optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** The run's random stream; its state is checkpointed. */
        public Builder setRandom(TrainRandom rng) {
            this.rng = rng;
            return this;
        }

        /** Parent of the per-iteration sub-managers. */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        public Builder optEma(Ema ema) {
            this.ema = ema;
            return this;
        }

        /**
         * Saves to {@code file} every {@code every} steps (0: only at the end and on cancel) and
         * resumes from it when it already exists.
         */
        public Builder optCheckpoint(Path file, int every) {
            if (every < 0) {
                throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + every);
            }
            this.checkpointFile = file;
            this.checkpointEvery = every;
            return this;
        }

        public Builder optLossLog(Path csv) {
            this.lossLog = csv;
            return this;
        }

        public Builder optProgress(ProgressListener listener) {
            this.progress = listener;
            return this;
        }

        public Builder optCancel(CancelToken token) {
            this.cancel = token;
            return this;
        }

        /** The run's settings as JSON, stored in checkpoints; a resume with other settings is refused. */
        public Builder optConfig(String json) {
            this.config = json;
            return this;
        }

        /** Where checkpoint tensors are written (tests inject failures here). */
        public Builder optSink(TensorSink sink) {
            this.sink = sink;
            return this;
        }

        public TrainingLoop build() {
            if (steps < 0) {
                throw new IllegalArgumentException("TrainingLoop needs a number of steps (setSteps)");
            }
            return new TrainingLoop(this);
        }
    }
}
