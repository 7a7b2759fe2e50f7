package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.ResnetBlock2D;

/** diffusers {@code UNetMidBlock2DCrossAttn} (one layer): resnet, transformer, resnet. */
public final class UNetMidBlock2DCrossAttn extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Transformer2DModel attention;

    UNetMidBlock2DCrossAttn(long channels, ResnetSpec resnet, float outputScaleFactor, Transformer2DModel.Spec transformer) {
        this.resnets = child("resnets", new ModuleList<>());
        ModuleList<Transformer2DModel> attentions = child("attentions", new ModuleList<>());
        resnets.add(resnet.resnet(channels, channels, outputScaleFactor));
        this.attention = attentions.add(new Transformer2DModel(channels, transformer));
        resnets.add(resnet.resnet(channels, channels, outputScaleFactor));
    }

    NDArray forward(NDArray h, NDArray temb, NDArray context) {
        h = resnets.get(0).forward(h, temb);
        h = attention.forward(h, context);
        return resnets.get(1).forward(h, temb);
    }
}
