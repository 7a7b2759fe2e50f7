package org.conceptsliders.sliders.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.SafeTensorsWriter;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.runtime.train.TrainingLoop;
import org.conceptsliders.runtime.train.TrainingStep;
import org.conceptsliders.sliders.Slider;
import org.conceptsliders.sliders.SliderConverter;
import org.conceptsliders.sliders.SliderMetadata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * What text and image slider training share: AdamW (torch defaults, weight decay 0.01, constant
 * lr) on the slider's weights only, {@link TrainingLoop} for progress, checkpoints and resume,
 * the effect probe with its CSV log and early stop, and writing the result as a kohya-named
 * slider through {@link SliderConverter}. The base model's weights are never trainable: only the
 * network's parameters are in the {@link TrainableSet}.
 */
final class SliderRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SliderRun() {
    }

    /** Where the probe looks and what the result's metadata says. */
    record Setup(String probePrompt, int probeWidth, int probeHeight, SliderConverter.Info info, Object config) {
    }

    static TrainResult run(StableDiffusionModel model, SliderNetwork network, Conditioning cond, NDManager manager,
                           TrainRandom rng, TrainingStep step, int iterations, double lr, Path out,
                           TrainingOptions o, Setup setup) throws Exception {
        String configJson = JSON.writeValueAsString(setup.config());
        EffectProbe probe = o.probeEvery() > 0 ? new EffectProbe(model, cond, network, setup.probePrompt(),
                setup.probeWidth(), setup.probeHeight(), o.probeScale(), o.probeSteps(), o.seed()) : null;
        int[] flat = {0};
        double[] lastChange = {Double.NaN};
        boolean[] stopFlat = {false};
        ProgressListener listener = p -> {
            if (probe != null && p.step() % o.probeEvery() == 0) {
                EffectProbe.Result r = probe.run(manager, o.probe());
                lastChange[0] = r.change();
                logProbe(o, p.step(), r);
                flat[0] = r.change() < o.flatThreshold() ? flat[0] + 1 : 0;
                stopFlat[0] = o.flatPatience() > 0 && flat[0] >= o.flatPatience();
                p = new Progress(p.step(), p.total(), p.timestep(), p.elapsedNanos(),
                        p.message() + String.format(Locale.ROOT, " · change %.4f", r.change()));
            }
            o.progress().onProgress(p);
        };
        CancelToken cancel = new CancelToken(() -> o.cancel().isCancelled() || stopFlat[0]);
        try (TrainableSet params = TrainableSet.of(network.namedParameters());
             AdamW adam = AdamW.builder().setLearningRate(LrSchedule.constant(lr)).build(params)) {
            TrainingLoop loop = TrainingLoop.builder().setSteps(iterations).setStep(step).setOptimizer(adam)
                    .setRandom(rng).setManager(manager).optCheckpoint(o.checkpoint(), o.checkpointEvery())
                    .optLossLog(o.lossLog()).optProgress(listener).optCancel(cancel).optConfig(configJson).build();
            if (probe != null && o.probeLog() != null && !(o.checkpoint() != null && Files.exists(o.checkpoint()))) {
                Files.writeString(o.probeLog(), "step,change" + (o.probe() == null ? "" : "," + o.probe().name()) + "\n");
            }
            TrainingLoop.Result result;
            try {
                result = loop.run();
            } catch (CancellationException e) {
                if (!stopFlat[0] || o.cancel().isCancelled()) {
                    throw e;
                }
                write(network, model, out, setup, configJson);
                return new TrainResult(out, adam.stepCount(), Float.NaN, true, lastChange[0]);
            }
            write(network, model, out, setup, configJson);
            if (o.checkpoint() != null) {
                Files.deleteIfExists(o.checkpoint());
            }
            return new TrainResult(out, result.step(), result.loss(), false, lastChange[0]);
        }
    }

    private static void logProbe(TrainingOptions o, int step, EffectProbe.Result r) {
        if (o.probeLog() == null) {
            return;
        }
        try (BufferedWriter w = Files.newBufferedWriter(o.probeLog(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(step + "," + r.change() + (o.probe() == null ? "" : "," + r.measured()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the probe log " + o.probeLog(), e);
        }
    }

    /**
     * Writes the slider atomically: the network's tensors go to a hidden file beside {@code out},
     * which {@link SliderConverter} reads back and writes under kohya names with the metadata.
     */
    static void write(SliderNetwork network, StableDiffusionModel model, Path out, Setup setup, String configJson)
            throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path raw = Files.createTempFile(dir, "." + out.getFileName(), ".raw.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = network.tensors(m);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(SliderMetadata.TRAINING_CONFIG, configJson);
            meta.put(SliderMetadata.CONV_LAYERS, Boolean.toString(network.convLayers()));
            SafeTensorsWriter.writeArrays(raw, tensors, meta);
            try (Slider s = Slider.load(raw, m)) {
                SliderConverter.write(s, out, model.unet(), null, null, setup.info());
            }
        } finally {
            Files.deleteIfExists(raw);
        }
    }
}
