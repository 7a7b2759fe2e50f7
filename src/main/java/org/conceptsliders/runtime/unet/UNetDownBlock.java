package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Downsample2D;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.ResnetBlock2D;

import java.util.List;

/**
 * A down block of the UNet: {@code resnets}, each followed by a transformer from
 * {@code attentions} in the cross-attention variant, then an optional stride-2
 * {@code downsamplers.0}. Every intermediate state is kept as a skip connection for the up path.
 */
public abstract sealed class UNetDownBlock extends Module permits CrossAttnDownBlock2D, DownBlock2D {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Transformer2DModel> attentions;
    private final Downsample2D downsampler;

    UNetDownBlock(long in, long out, int layers, ResnetSpec resnet, Transformer2DModel.Spec transformer,
                  boolean addDownsample, int downsamplePadding) {
        this.resnets = child("resnets", new ModuleList<>());
        this.attentions = transformer == null ? null : child("attentions", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            resnets.add(resnet.resnet(i == 0 ? in : out, out, 1f));
            if (attentions != null) {
                attentions.add(new Transformer2DModel(out, transformer));
            }
        }
        if (addDownsample) {
            ModuleList<Downsample2D> list = child("downsamplers", new ModuleList<>());
            this.downsampler = list.add(new Downsample2D(out, out, downsamplePadding));
        } else {
            this.downsampler = null;
        }
    }

    /** diffusers' {@code get_down_block}: the block class named in {@code down_block_types}. */
    static UNetDownBlock of(UNetConfig.DownBlockType type, long in, long out, int layers, ResnetSpec resnet,
                            Transformer2DModel.Spec transformer, boolean addDownsample, int downsamplePadding) {
        return switch (type) {
            case CrossAttnDownBlock2D -> new CrossAttnDownBlock2D(in, out, layers, resnet, transformer, addDownsample, downsamplePadding);
            case DownBlock2D -> new DownBlock2D(in, out, layers, resnet, addDownsample, downsamplePadding);
        };
    }

    /** Runs the block on {@code h} and appends each state the up path will consume to {@code skips}. */
    NDArray forward(NDArray h, NDArray temb, NDArray context, List<NDArray> skips) {
        for (int i = 0; i < resnets.size(); i++) {
            h = resnets.get(i).forward(h, temb);
            if (attentions != null) {
                h = attentions.get(i).forward(h, context);
            }
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            skips.add(h);
        }
        return h;
    }
}
