package org.conceptsliders.runtime.unet;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers {@code Timesteps} ({@code get_timestep_embedding}): the sinusoidal embedding of
 * each value t, {@code [sin(t f_i), cos(t f_i)]} with {@code f_i = exp(-ln(10000) i / (half - freq_shift))},
 * halves swapped when {@code flip_sin_to_cos}. Computed in float32 with the reference's order of
 * operations, since large t magnifies any difference in the frequencies.
 */
public final class Timesteps {
    private static final float LOG_MAX_PERIOD = (float) Math.log(10000);

    private final int channels;
    private final boolean flipSinToCos;
    private final int freqShift;

    public Timesteps(int channels, boolean flipSinToCos, int freqShift) {
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    /** {@code t} [N] (any numeric dtype) -> [N, channels] float32. */
    public NDArray forward(NDArray t) {
        int half = channels / 2;
        NDArray steps = t.getManager().arange(0, half, 1, DataType.FLOAT32, t.getDevice());
        NDArray freqs = Owned.div(Owned.mul(steps, -LOG_MAX_PERIOD), (float) (half - freqShift)).exp();
        NDArray args = t.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(freqs.reshape(1, -1));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        if (channels % 2 == 1) {
            emb = emb.concat(emb.getManager().zeros(new Shape(emb.getShape().get(0), 1), DataType.FLOAT32, emb.getDevice()), 1);
        }
        return emb;
    }
}
