package org.conceptsliders.runtime.vae;

import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.ResnetBlock2D;
import org.conceptsliders.runtime.nn.Upsample2D;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** diffusers {@code UpDecoderBlock2D}: resnets, then an optional {@code upsamplers.0}. */
public final class UpDecoderBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Upsample2D upsampler;

    UpDecoderBlock2D(int in, int out, int layers, int groups, float eps, boolean addUpsample) {
        this.resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, 0, groups, eps, 1f));
        }
        this.upsampler = addUpsample ? child("upsamplers", new ModuleList<Upsample2D>()).add(new Upsample2D(out, out)) : null;
    }

    NDArray forward(NDArray h) {
        List<UnaryOperator<NDArray>> steps = new ArrayList<>();
        for (ResnetBlock2D r : resnets.items()) {
            steps.add(x -> r.forward(x, null));
        }
        if (upsampler != null) {
            steps.add(upsampler::forward);
        }
        return Scopes.chain(h, steps);
    }
}
