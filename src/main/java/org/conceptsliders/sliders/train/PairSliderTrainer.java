package org.conceptsliders.sliders.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.schedulers.DDPMScheduler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.runtime.schedulers.SchedulerConfig;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.train.TrainingStep;
import org.conceptsliders.runtime.pipeline.ModelKind;
import org.conceptsliders.sliders.SliderConverter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Visual sliders from image pairs (Concept Sliders §3.2). The images are encoded once with the
 * VAE (the latent distribution's mean). One iteration: pick a level (scale s) and a pair, draw a
 * timestep t in [0, num_train_timesteps) and ONE noise, noise both latents to t with it
 * ({@link DDPMScheduler#addNoise}); then
 * {@code loss = MSE(eps_{+s}(x_high, t), noise) + MSE(eps_{-s}(x_low, t), noise)},
 * both terms back-propagated (one after the other, gradients accumulate) before one optimizer step.
 *
 * <p>Beyond the paper: with {@code symmetry} w > 0 a third term,
 * {@code w * MSE((eps_{+s}(x_mid, t) + eps_{-s}(x_mid, t)) / 2, eps_0(x_mid, t))} at the pair's
 * midpoint x_mid (both latents' mean, noised alike), asks the slider to move the prediction by
 * opposite amounts at +s and -s. The two pair terms alone leave room for an even part, which
 * shows as a change that both signs make (measured on the shapes model: 45-110 % of the odd part
 * at scale +-2, docs/embedded-model.md), that is, a change of what the slider should keep.
 */
public final class PairSliderTrainer {
    private final StableDiffusionModel model;

    public PairSliderTrainer(StableDiffusionModel model) {
        this.model = model;
    }

    /** The shorter side images are trained at: {@code size}, or 256 (SD 1.x/2.x) / 512 (SDXL) capped at the native size. */
    public int trainingSize(int size) {
        if (size > 0) {
            return size;
        }
        int preferred = model.kind() == ModelKind.SDXL ? 512 : 256;
        return Math.min(preferred, model.unet().config().sampleSize() * 8);
    }

    /** The two noised latents of one iteration and the one noise they share. */
    public record NoisedPair(NDArray noise, NDArray low, NDArray high, int timestep) {
    }

    /** Draws t and one noise from {@code rng} and noises both latents with them. */
    public static NoisedPair noise(DDPMScheduler ddpm, NDArray zLow, NDArray zHigh, TrainRandom rng, NDManager m) {
        int t = rng.nextInt(ddpm.config().numTrainTimesteps());
        NDArray noise = rng.randn(m, zHigh.getShape()).toDevice(zHigh.getDevice(), false).toType(zHigh.getDataType(), false);
        return new NoisedPair(noise, ddpm.addNoise(zLow, noise, t), ddpm.addNoise(zHigh, noise, t), t);
    }

    public TrainResult train(PairSliderConfig config, Path out, TrainingOptions options) throws Exception {
        int size = trainingSize(config.size());
        SchedulerConfig sc = model.scheduler(SchedulerKind.DDIM).config();
        if (sc.predictionType() != SchedulerConfig.PredictionType.EPSILON) {
            throw new IllegalArgumentException("image-pair sliders need an epsilon-prediction model; this one predicts "
                    + sc.predictionType().id() + " (scheduler_config.json prediction_type)");
        }
        DDPMScheduler ddpm = new DDPMScheduler(sc);
        try (NDManager manager = NDManager.newBaseManager(model.compute().device())) {
            TrainRandom rng = new TrainRandom(options.seed());
            Conditioning cond = new Conditioning(model, manager);
            Conditioning.Cond c = cond.get(config.prompt());
            List<List<NDArray[]>> latents = new ArrayList<>();
            int[] probeSize = null;
            try (NoGrad ignored = NoGrad.enter()) {
                for (ImagePairs.Level level : config.levels()) {
                    List<NDArray[]> l = new ArrayList<>();
                    for (ImagePairs.Pair p : level.pairs()) {
                        l.add(new NDArray[] {encode(p.low(), size, manager), encode(p.high(), size, manager)});
                        probeSize = probeSize != null ? probeSize : ImagePairs.trainingSize(p.low().width(), p.low().height(), size);
                    }
                    latents.add(l);
                }
            }
            try (SliderNetwork net = SliderNetwork.attach(model.unet(), config.method(), config.convLayers(),
                    config.rank(), config.alpha(), rng)) {
                TrainingStep step = (iteration, r, m) -> {
                    int li = r.nextInt(config.levels().size());
                    double s = config.levels().get(li).scale();
                    NDArray[] pair = latents.get(li).get(r.nextInt(latents.get(li).size()));
                    pair[0].tempAttach(m);  // ops on the cached latents put their results in m
                    pair[1].tempAttach(m);
                    NoisedPair np = noise(ddpm, pair[0], pair[1], r, m);
                    float loss = 0;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        for (int sign : new int[] {1, -1}) {
                            net.setMultiplier(sign * s);
                            NDArray eps = cond.eps(sign > 0 ? np.high() : np.low(), np.timestep(), List.of(c), 1);
                            NDArray l = TextSliderTrainer.mse(eps, np.noise().toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
                            gc.backward(l);
                            loss += l.getFloat();
                        }
                        if (config.symmetry() > 0) {
                            loss += symmetry(gc, net, cond, c, np, s, (float) config.symmetry());
                        }
                    } finally {
                        net.setMultiplier(1);
                    }
                    return loss;
                };
                SliderConverter.Info info = new SliderConverter.Info(TextSliderTrainer.stem(out),
                        config.prompt().isEmpty() ? null : config.prompt(), config.method().spelling(),
                        config.prompt().isEmpty() ? null : List.of(config.prompt()),
                        model.kind().defaultStartNoise(), List.of(-2.0, -1.0, 0.0, 1.0, 2.0),
                        "Concept Slider trained from image pairs (visual objective)");
                SliderRun.Setup setup = new SliderRun.Setup(config.prompt(), probeSize[0], probeSize[1], info,
                        describe(config, size));
                return SliderRun.run(model, net, cond, manager, rng, step, config.iterations(), config.lr(), out,
                        options, setup);
            }
        }
    }

    /** The symmetry term at the pair's midpoint, back-propagated; returns its value. */
    private static float symmetry(GradientCollector gc, SliderNetwork net, Conditioning cond, Conditioning.Cond c,
                                  NoisedPair np, double s, float weight) {
        NDArray mid = Owned.div(np.low().add(np.high()), 2f);
        NDArray off;
        try (NoGrad ignored = NoGrad.enter()) {
            net.setMultiplier(0);
            off = cond.eps(mid, np.timestep(), List.of(c), 1);
        }
        net.setMultiplier(s);
        NDArray plus = cond.eps(mid, np.timestep(), List.of(c), 1);
        net.setMultiplier(-s);
        NDArray minus = cond.eps(mid, np.timestep(), List.of(c), 1);
        NDArray l = Owned.mul(TextSliderTrainer.mse(Owned.div(plus.add(minus), 2f), off), weight);
        gc.backward(l);
        return l.getFloat();
    }

    private NDArray encode(org.conceptsliders.runtime.pipeline.RgbImage image, int size, NDManager manager) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray z = new org.conceptsliders.runtime.pipeline.StableDiffusionPipeline(model)
                    .encodeImage(ImagePairs.prepare(image, size, tmp));
            z.attach(manager);
            return z;
        }
    }

    private static Map<String, Object> describe(PairSliderConfig c, int size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", "image_pairs");
        m.put("training_method", c.method().spelling());
        m.put("conv_layers", c.convLayers());
        m.put("rank", c.rank());
        m.put("alpha", c.alpha());
        m.put("iterations", c.iterations());
        m.put("lr", c.lr());
        m.put("symmetry", c.symmetry());
        m.put("size", size);
        m.put("prompt", c.prompt());
        m.put("levels", ImagePairs.describe(c.levels()));
        return m;
    }
}
