package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDArray;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.ResnetBlock2D;
import org.conceptsliders.runtime.nn.Upsample2D;

import java.util.Deque;

/**
 * An up block of the UNet: each of its {@code resnets} takes the previous state concatenated
 * (on channels) with the latest unused skip connection, followed by a transformer from
 * {@code attentions} in the cross-attention variant; then an optional {@code upsamplers.0}.
 */
public abstract sealed class UNetUpBlock extends Module permits CrossAttnUpBlock2D, UpBlock2D {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Transformer2DModel> attentions;
    private final Upsample2D upsampler;

    /**
     * @param in   channels of the deepest skip this block consumes (its last resnet's skip)
     * @param prev channels of the state coming from below
     */
    UNetUpBlock(long in, long prev, long out, int layers, ResnetSpec resnet, Transformer2DModel.Spec transformer,
                boolean addUpsample) {
        this.resnets = child("resnets", new ModuleList<>());
        this.attentions = transformer == null ? null : child("attentions", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            long skip = i == layers - 1 ? in : out;
            long resnetIn = i == 0 ? prev : out;
            resnets.add(resnet.resnet(resnetIn + skip, out, 1f));
            if (attentions != null) {
                attentions.add(new Transformer2DModel(out, transformer));
            }
        }
        if (addUpsample) {
            ModuleList<Upsample2D> list = child("upsamplers", new ModuleList<>());
            this.upsampler = list.add(new Upsample2D(out, out));
        } else {
            this.upsampler = null;
        }
    }

    /** diffusers' {@code get_up_block}: the block class named in {@code up_block_types}. */
    static UNetUpBlock of(UNetConfig.UpBlockType type, long in, long prev, long out, int layers, ResnetSpec resnet,
                          Transformer2DModel.Spec transformer, boolean addUpsample) {
        return switch (type) {
            case CrossAttnUpBlock2D -> new CrossAttnUpBlock2D(in, prev, out, layers, resnet, transformer, addUpsample);
            case UpBlock2D -> new UpBlock2D(in, prev, out, layers, resnet, addUpsample);
        };
    }

    int layers() {
        return resnets.size();
    }

    /**
     * Consumes one skip per resnet from the end of {@code skips}. The upsampler scales to twice
     * the size, or to {@code upsampleSize} {height, width} when given (inputs whose size is not a
     * multiple of the UNet's total down-sampling factor).
     */
    NDArray forward(NDArray h, NDArray temb, NDArray context, Deque<NDArray> skips, long[] upsampleSize) {
        for (int i = 0; i < resnets.size(); i++) {
            h = resnets.get(i).forward(h.concat(skips.removeLast(), 1), temb);
            if (attentions != null) {
                h = attentions.get(i).forward(h, context);
            }
        }
        if (upsampler != null) {
            h = upsampleSize == null ? upsampler.forward(h) : upsampler.forward(h, upsampleSize[0], upsampleSize[1]);
        }
        return h;
    }
}
