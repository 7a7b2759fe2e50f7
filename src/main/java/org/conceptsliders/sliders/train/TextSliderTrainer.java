package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.schedulers.DDIMScheduler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.pipeline.ModelKind;
import org.conceptsliders.sliders.SliderConverter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text sliders, the objective of Concept Sliders §3.1 as the paper's
 * {@code trainscripts/textsliders/train_lora.py} computes it. One iteration:
 * <ol>
 * <li>pick a prompt set; draw k in [1, max_denoising_steps);</li>
 * <li>from fresh noise, run k DDIM steps of a max_denoising_steps schedule with the slider on
 * (multiplier 1), guidance 3, conditional = target, unconditional branch = {@code unconditional}
 * -> x_k (no gradient);</li>
 * <li>at the timestep x_k sits at (the schedule's entry k, see docs/training.md for how the
 * paper's code differs), slider off, no gradient: e_pos = eps(x_k, positive), e_neu =
 * eps(x_k, neutral), e_neg = eps(x_k, unconditional);</li>
 * <li>slider on: e = eps(x_k, target); loss = MSE(e, e_neu + sign * eta (e_pos - e_neg)),
 * sign +1 for enhance and -1 for erase; only the slider's weights get gradients.</li>
 * </ol>
 * Beyond the paper: {@code anchors} add {@code anchor_weight * MSE(eps_on(x_k, a), eps_off(x_k, a))}
 * for one anchor prompt a per iteration, and {@code bipolar} also trains at multiplier -1
 * toward {@code e_neu - sign * eta (e_pos - e_neg)} (with the anchor term too), so negative
 * scales are trained rather than extrapolated.
 */
public final class TextSliderTrainer {
    static final double SAMPLING_GUIDANCE = 3.0;

    private final StableDiffusionModel model;

    public TextSliderTrainer(StableDiffusionModel model) {
        this.model = model;
    }

    /**
     * The training target of the paper: {@code e_neu + sign * eta * (e_pos - e_neg)}, in float32.
     */
    public static NDArray target(NDArray eNeutral, NDArray ePositive, NDArray eNegative, double signedEta) {
        NDArray n = eNeutral.toType(DataType.FLOAT32, false);
        NDArray d = ePositive.toType(DataType.FLOAT32, false).sub(eNegative.toType(DataType.FLOAT32, false));
        return n.add(Owned.muli(d, (float) signedEta));
    }

    /** Mean squared error, computed in float32 when an operand is half precision (float64 stays float64). */
    static NDArray mse(NDArray a, NDArray b) {
        return wide(a).sub(wide(b)).square().mean();
    }

    private static NDArray wide(NDArray a) {
        return a.getDataType() == DataType.FLOAT16 || a.getDataType() == DataType.BFLOAT16
                ? a.toType(DataType.FLOAT32, false) : a;
    }

    /** Trains {@code config} and writes the slider to {@code out}; validates everything first. */
    public TrainResult train(TextSliderConfig config, Path out, TrainingOptions options) throws Exception {
        DDIMScheduler ddim = (DDIMScheduler) model.scheduler(SchedulerKind.DDIM);
        int[] schedule = ddim.timesteps(config.maxDenoisingSteps());
        ModelKind base = model.kind();
        try (NDManager manager = NDManager.newBaseManager(model.compute().device())) {
            TrainRandom rng = new TrainRandom(options.seed());
            Conditioning cond = new Conditioning(model, manager);
            for (PromptSet s : config.prompts()) {
                for (String p : List.of(s.target(), s.positive(), s.unconditional(), s.neutral())) {
                    cond.get(p);
                }
            }
            config.anchors().forEach(cond::get);
            try (SliderNetwork net = SliderNetwork.attach(model.unet(), config.method(), config.convLayers(),
                    config.rank(), config.alpha(), rng)) {
                Step step = new Step(config, cond, net, ddim, schedule);
                PromptSet first = config.prompts().get(0);
                List<String> prompts = new ArrayList<>();
                config.prompts().forEach(s -> prompts.add(s.target() + " | " + s.positive() + " | " + s.unconditional()
                        + " | " + s.neutral()));
                SliderConverter.Info info = new SliderConverter.Info(stem(out), first.positive(),
                        config.method().spelling(), prompts, base.defaultStartNoise(), List.of(-2.0, -1.0, 0.0, 1.0, 2.0),
                        "Concept Slider trained from prompts (text objective)");
                SliderRun.Setup setup = new SliderRun.Setup(first.target(), first.resolution(), first.resolution(), info,
                        describe(config));
                return SliderRun.run(model, net, cond, manager, rng, step, config.iterations(), config.learningRate(),
                        out, options, setup);
            }
        }
    }

    static String stem(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    private static Map<String, Object> describe(TextSliderConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", "text");
        m.put("training_method", c.method().spelling());
        m.put("conv_layers", c.convLayers());
        m.put("rank", c.rank());
        m.put("alpha", c.alpha());
        m.put("iterations", c.iterations());
        m.put("lr", c.learningRate());
        m.put("max_denoising_steps", c.maxDenoisingSteps());
        List<Map<String, Object>> sets = new ArrayList<>();
        for (PromptSet s : c.prompts()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("target", s.target());
            e.put("positive", s.positive());
            e.put("unconditional", s.unconditional());
            e.put("neutral", s.neutral());
            e.put("action", s.action().name().toLowerCase(java.util.Locale.ROOT));
            e.put("guidance_scale", s.guidanceScale());
            e.put("resolution", s.resolution());
            e.put("dynamic_resolution", s.dynamicResolution());
            e.put("batch_size", s.batchSize());
            sets.add(e);
        }
        m.put("prompts", sets);
        m.put("anchors", c.anchors());
        m.put("anchor_weight", c.anchorWeight());
        m.put("bipolar", c.bipolar());
        return m;
    }

    /** One iteration; all randomness from the run's generator so a resumed run repeats it exactly. */
    private final class Step implements org.conceptsliders.runtime.train.TrainingStep {
        private final TextSliderConfig config;
        private final Conditioning cond;
        private final SliderNetwork net;
        private final DDIMScheduler ddim;
        private final int[] schedule;

        Step(TextSliderConfig config, Conditioning cond, SliderNetwork net, DDIMScheduler ddim, int[] schedule) {
            this.config = config;
            this.cond = cond;
            this.net = net;
            this.ddim = ddim;
            this.schedule = schedule;
        }

        @Override
        public float run(int iteration, TrainRandom rng, NDManager m) {
            PromptSet set = config.prompts().get(rng.nextInt(config.prompts().size()));
            int k = 1 + rng.nextInt(config.maxDenoisingSteps() - 1);
            int h = set.resolution();
            int w = set.resolution();
            if (set.dynamicResolution()) {
                // train_util.get_random_resolution_in_bucket: multiples of 64 in [res/2, res)
                int lo = set.resolution() / 2 / 64;
                int hi = set.resolution() / 64;
                if (hi > lo) {
                    h = (lo + rng.nextInt(hi - lo)) * 64;
                    w = (lo + rng.nextInt(hi - lo)) * 64;
                }
            }
            String anchor = config.anchors().isEmpty() ? null : config.anchors().get(rng.nextInt(config.anchors().size()));
            int b = set.batchSize();
            long channels = model.unet().config().inChannels();
            NDArray noise = rng.randn(m, new Shape(b, channels, h / 8, w / 8))
                    .toDevice(model.compute().device(), false).toType(model.compute().dtype(), false);
            NDArray xk;
            NDArray target;
            NDArray opposite = null;
            NDArray anchorOff = null;
            int t = schedule[k];
            try (NoGrad ignored = NoGrad.enter()) {
                net.setMultiplier(1);
                xk = sample(noise, set, k, b);
                net.setMultiplier(0);
                List<Conditioning.Cond> conds = new ArrayList<>(List.of(cond.get(set.positive()), cond.get(set.neutral()),
                        cond.get(set.unconditional())));
                if (anchor != null) {
                    conds.add(cond.get(anchor));
                }
                NDArray out = cond.eps(repeat(xk, conds.size()), t, conds, b);
                NDArray ePos = rows(out, 0, b);
                NDArray eNeu = rows(out, 1, b);
                NDArray eNeg = rows(out, 2, b);
                double signedEta = set.action().sign() * set.guidanceScale();
                target = target(eNeu, ePos, eNeg, signedEta);
                if (config.bipolar()) {
                    opposite = target(eNeu, ePos, eNeg, -signedEta);
                }
                if (anchor != null) {
                    anchorOff = rows(out, 3, b).toType(DataType.FLOAT32, false);
                }
            } finally {
                net.setMultiplier(1);
            }
            float loss = 0;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss += objective(gc, xk, t, set, anchor, b, 1, target, anchorOff);
                if (opposite != null) {
                    loss += objective(gc, xk, t, set, anchor, b, -1, opposite, anchorOff);
                }
            } finally {
                net.setMultiplier(1);
            }
            return loss;
        }

        /** Forward with the slider at {@code multiplier}, MSE to the target (+ anchor term), backward. */
        private float objective(GradientCollector gc, NDArray xk, int t, PromptSet set, String anchor, int b,
                                double multiplier, NDArray target, NDArray anchorOff) {
            net.setMultiplier(multiplier);
            List<Conditioning.Cond> conds = anchor == null ? List.of(cond.get(set.target()))
                    : List.of(cond.get(set.target()), cond.get(anchor));
            NDArray out = cond.eps(repeat(xk, conds.size()), t, conds, b);
            NDArray loss = mse(rows(out, 0, b), target);
            if (anchor != null) {
                loss = loss.add(Owned.mul(mse(rows(out, 1, b), anchorOff), (float) config.anchorWeight()));
            }
            gc.backward(loss);
            return loss.getFloat();
        }

        /** k DDIM steps from noise with guidance 3 on [unconditional; target] (train_util.diffusion). */
        private NDArray sample(NDArray noise, PromptSet set, int k, int b) {
            List<Conditioning.Cond> conds = List.of(cond.get(set.unconditional()), cond.get(set.target()));
            NDManager owner = noise.getManager();
            NDArray x = noise;
            for (int i = 0; i < k; i++) {
                NDArray next;
                // each step's activations are freed before the next: k of them at once would not fit a GPU at SD sizes
                try (NDManager step = owner.newSubManager()) {
                    x.tempAttach(step);
                    NDArray out = cond.eps(x.concat(x, 0), schedule[i], conds, b);
                    NDArray uncond = rows(out, 0, b);
                    NDArray eps = uncond.add(Owned.mul(rows(out, 1, b).sub(uncond), (float) SAMPLING_GUIDANCE));
                    next = ddim.step(eps, schedule[i], x, config.maxDenoisingSteps(), 0f, null).prevSample();
                    next.attach(owner);
                }
                if (x != noise) {
                    x.close();
                }
                x = next;
            }
            return x;
        }
    }

    static NDArray repeat(NDArray x, int n) {
        if (n == 1) {
            return x;
        }
        NDList l = new NDList();
        for (int i = 0; i < n; i++) {
            l.add(x);
        }
        return NDArrays.concat(l, 0);
    }

    /** Block {@code i} of {@code b} rows. */
    static NDArray rows(NDArray x, int i, int b) {
        return x.get(new NDIndex("{}:{}", (long) i * b, (long) (i + 1) * b));
    }
}
