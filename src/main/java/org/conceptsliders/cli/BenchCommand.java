package org.conceptsliders.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.nd.OpProfile;
import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times a UNet forward and forward+backward with random weights, batch 2 (a guidance pair), and
 * prints the same JSON as shared/bench/pytorch_unet.py so the two can be compared side by side.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time a UNet forward and forward+backward (random weights, batch 2) and print JSON:"
                + " median/min/max of N runs and peak resident memory.")
final class BenchCommand implements Runnable {
    @Option(names = "--config", defaultValue = "sd15",
            description = "A UNet config.json, or sd15 for SD 1.5's shape (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--latent", defaultValue = "32", description = "Latent side (default: ${DEFAULT-VALUE}).")
    int latent;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--backward", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also time forward+backward (default: ${DEFAULT-VALUE}).")
    boolean backward;

    @Option(names = "--profile", paramLabel = "TRACE.json",
            description = "After timing, run one more forward+backward (forward only with --no-backward) under"
                    + " libtorch's profiler and write its operators as a Chrome trace (ui.perfetto.dev).")
    Path profile;

    @Mixin
    DeviceOption device;

    @Override
    public void run() {
        try {
            Compute compute = device.compute();
            try (NDManager m = NDManager.newBaseManager(compute.device())) {
                UNet2DConditionModel unet = BenchSupport.randomUnet(config, m, compute);
                long params = unet.namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
                TrainRandom rng = new TrainRandom(1);
                int ctx = unet.config().crossAttentionDim(0);
                NDArray x = rng.randn(m, new Shape(2, unet.config().inChannels(), latent, latent)).toType(compute.dtype(), false);
                NDArray t = Owned.floats(m, 500, 500);
                NDArray c = rng.randn(m, new Shape(2, 77, ctx)).toType(compute.dtype(), false);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("impl", "djl " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                        + " (java " + Runtime.version().feature() + ")");
                out.put("config", config);
                out.put("latent", latent);
                out.put("batch", 2);
                out.put("params_m", Math.round(params / 1e5) / 10.0);
                out.put("device", compute.describe());
                Runnable forward = () -> {
                    try (NoGrad g = NoGrad.enter(); NDManager step = m.newSubManager()) {
                        x.tempAttach(step);
                        unet.forward(x, t, c).toFloatArray();
                    }
                };
                out.put("forward", BenchSupport.timed(runs, forward));
                Runnable profiled = forward;
                if (backward) {
                    TrainableSet all = TrainableSet.select(unet, k -> true);
                    // gradients released after each run, as the PyTorch side's zero_grad(set_to_none=True)
                    Runnable forwardBackward = () -> {
                        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            x.tempAttach(step);
                            NDArray loss = unet.forward(x, t, c).toType(DataType.FLOAT32, false).square().mean();
                            gc.backward(loss);
                        }
                        all.releaseGradients();
                    };
                    out.put("forward_backward", BenchSupport.timed(runs, forwardBackward));
                    profiled = forwardBackward;
                }
                if (profile != null) {
                    OpProfile.record(profile, compute.device().isGpu(), profiled);
                    out.put("profile", profile.toString());
                }
                out.put("peak_rss_mb", BenchSupport.peakRssMb());
                System.out.println(new ObjectMapper().writeValueAsString(out));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
