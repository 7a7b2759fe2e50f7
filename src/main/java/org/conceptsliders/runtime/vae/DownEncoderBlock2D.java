package org.conceptsliders.runtime.vae;

import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Downsample2D;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.ResnetBlock2D;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** diffusers {@code DownEncoderBlock2D}: resnets, then an optional asymmetrically padded {@code downsamplers.0}. */
public final class DownEncoderBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Downsample2D downsampler;

    DownEncoderBlock2D(int in, int out, int layers, int groups, float eps, boolean addDownsample) {
        this.resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, 0, groups, eps, 1f));
        }
        this.downsampler = addDownsample ? child("downsamplers", new ModuleList<Downsample2D>()).add(new Downsample2D(out, out, 0)) : null;
    }

    NDArray forward(NDArray h) {
        List<UnaryOperator<NDArray>> steps = new ArrayList<>();
        for (ResnetBlock2D r : resnets.items()) {
            steps.add(x -> r.forward(x, null));
        }
        if (downsampler != null) {
            steps.add(downsampler::forward);
        }
        return Scopes.chain(h, steps);
    }
}
