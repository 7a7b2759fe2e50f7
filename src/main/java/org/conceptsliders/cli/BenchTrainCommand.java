package org.conceptsliders.cli;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.train.AdamW;
import org.conceptsliders.runtime.train.LrSchedule;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainableSet;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.sliders.train.SliderNetwork;
import org.conceptsliders.sliders.train.TrainMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seconds per slider-training iteration, the UNet work of each trainer on random weights:
 * text = k guided sampling steps (batch 2, no grad) + the frozen predictions (batch 3) + the
 * slider's forward and backward; pairs = two forward+backward passes; both followed by AdamW
 * on the slider. Prints JSON with the peak resident memory.
 */
@Command(name = "bench-train", mixinStandardHelpOptions = true,
        description = "Time slider training iterations (text and image-pair objectives) on a UNet with random weights; print JSON.")
final class BenchTrainCommand implements Runnable {
    @Option(names = "--config", defaultValue = "sd15", description = "A UNet config.json, or sd15 (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--latent", defaultValue = "32", description = "Latent side (default: ${DEFAULT-VALUE}).")
    int latent;

    @Option(names = "--k", defaultValue = "25", description = "Sampling steps before the text objective; the paper's mean is 25 (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--runs", defaultValue = "3", description = "Timed iterations after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Mixin
    DeviceOption device;

    @Override
    public void run() {
        try {
            Compute compute = device.compute();
            try (NDManager m = NDManager.newBaseManager(compute.device())) {
                UNet2DConditionModel unet = BenchSupport.randomUnet(config, m, compute);
                TrainRandom rng = new TrainRandom(1);
                int ctx = unet.config().crossAttentionDim(0);
                long ch = unet.config().inChannels();
                NDArray c = rng.randn(m, new Shape(3, 77, ctx)).toDevice(compute.device(), false).toType(compute.dtype(), false);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("impl", "djl " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
                out.put("config", config);
                out.put("latent", latent);
                out.put("device", compute.describe());
                try (SliderNetwork net = SliderNetwork.attach(unet, TrainMethod.NOXATTN, true, 4, 1f, new TrainRandom(2));
                     TrainableSet params = TrainableSet.of(net.namedParameters());
                     AdamW adam = AdamW.builder().setLearningRate(LrSchedule.constant(2e-4)).build(params)) {
                    out.put("slider_modules", net.moduleCount());
                    out.put("slider_params", params.elementCount());
                    out.put("text_k", k);
                    out.put("text_iteration", BenchSupport.timed(runs, () -> {
                        try (NDManager it = m.newSubManager()) {
                            NDArray x = noise(rng, it, ch, compute);
                            try (NoGrad g = NoGrad.enter()) {
                                for (int i = 0; i < k; i++) {
                                    // one step's activations at a time, as TextSliderTrainer samples
                                    try (NDManager step = it.newSubManager()) {
                                        x.tempAttach(step);
                                        NDArray e = unet.forward(x.concat(x, 0), t(step, 2, 900 - 20 * i), c.get("0:2"));
                                        NDArray next = x.sub(Owned.mul(e.get("1:2"), 0.01f));
                                        next.attach(it);
                                        x = next;
                                    }
                                }
                                net.setMultiplier(0);
                                unet.forward(x.concat(x, 0).concat(x, 0), t(it, 3, 500), c).toFloatArray();
                                net.setMultiplier(1);
                            }
                            step(unet, x, it, c, adam);
                        }
                    }));
                    out.put("pairs_iteration", BenchSupport.timed(runs, () -> {
                        try (NDManager it = m.newSubManager()) {
                            step(unet, noise(rng, it, ch, compute), it, c, null);
                            step(unet, noise(rng, it, ch, compute), it, c, adam);
                        }
                    }));
                }
                out.put("peak_rss_mb", BenchSupport.peakRssMb());
                System.out.println(new ObjectMapper().writeValueAsString(out));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private NDArray noise(TrainRandom rng, NDManager m, long ch, Compute compute) {
        return rng.randn(m, new Shape(1, ch, latent, latent)).toDevice(compute.device(), false).toType(compute.dtype(), false);
    }

    private static NDArray t(NDManager m, int n, float value) {
        return Owned.floats(m, value).repeat(0, n);
    }

    /** Slider forward + backward at batch 1; then an optimizer step when {@code adam} is given. */
    private static void step(UNet2DConditionModel unet, NDArray x, NDManager m, NDArray c, AdamW adam) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray e = unet.forward(x, t(m, 1, 500), c.get("0:1")).toType(DataType.FLOAT32, false);
            gc.backward(e.square().mean());
        }
        if (adam != null) {
            adam.step();
        }
    }
}
