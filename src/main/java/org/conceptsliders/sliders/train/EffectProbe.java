package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.conceptsliders.runtime.pipeline.Images;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.schedulers.Sampler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.runtime.train.NoGrad;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the slider does anything yet: previews from one fixed seed at scales -m, 0 and +m
 * (DDIM, guidance 7.5, the slider on at every step), and the mean absolute change of the decoded
 * pixels (in [0, 1]) between -m and +m. It draws its noise from its own generator, so probing
 * does not change the run's random stream: a run with and without probes trains the same slider.
 */
final class EffectProbe {
    static final double GUIDANCE = 7.5;

    private final StableDiffusionModel model;
    private final Conditioning cond;
    private final SliderNetwork network;
    private final String prompt;
    private final int width;
    private final int height;
    private final double scale;
    private final int steps;
    private final long seed;

    /** One probe's outcome; {@code measured} is NaN without a {@link Probe}. */
    record Result(double change, double measured, List<RgbImage> images) {
    }

    EffectProbe(StableDiffusionModel model, Conditioning cond, SliderNetwork network, String prompt, int width,
                int height, double scale, int steps, long seed) {
        this.model = model;
        this.cond = cond;
        this.network = network;
        this.prompt = prompt;
        this.width = width;
        this.height = height;
        this.scale = scale;
        this.steps = steps;
        this.seed = seed;
    }

    double[] scales() {
        return new double[] {-scale, 0, scale};
    }

    Result run(NDManager parent, Probe probe) {
        double before = network.multiplier();
        List<RgbImage> images = new ArrayList<>();
        double change;
        try (NoGrad ignored = NoGrad.enter(); NDManager m = parent.newSubManager()) {
            Sampler sampler = model.scheduler(SchedulerKind.DDIM).forSteps(steps);
            List<Conditioning.Cond> conds = List.of(cond.get(""), cond.get(prompt));
            NDArray[] decoded = new NDArray[3];
            double[] s = scales();
            for (int i = 0; i < 3; i++) {
                network.setMultiplier(s[i]);
                NDArray x = cond.pipeline().noise(seed, 1, width, height, m).toType(model.compute().dtype(), false);
                double[] ts = sampler.timesteps();
                for (int k = 0; k < ts.length; k++) {
                    NDArray out = cond.eps(x.concat(x, 0), ts[k], conds, 1);
                    NDArray uncond = out.get(new NDIndex("0:1"));
                    NDArray eps = uncond.add(Owned.mul(out.get(new NDIndex("1:2")).sub(uncond), (float) GUIDANCE));
                    x = sampler.step(eps, k, x).prevSample();
                }
                decoded[i] = cond.pipeline().decode(x);
                images.add(new RgbImage(width, height, Images.toArgb(decoded[i], 0), "scale " + s[i],
                        Map.of("prompt", prompt, "seed", Long.toString(seed))));
            }
            change = decoded[2].sub(decoded[0]).abs().mean().getFloat();
        } finally {
            network.setMultiplier(before);
        }
        return new Result(change, probe == null ? Double.NaN : probe.measure(scales(), images), images);
    }
}
