package org.conceptsliders.runtime.noise;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch's CPU random generator: {@code torch.manual_seed(seed)} followed by
 * {@code torch.randn(shape)} calls gives the same float32 values here, so that a seed means the
 * same image in this plugin as in diffusers or ComfyUI (which draw the initial noise on the CPU).
 *
 * <p>What torch does (ATen {@code CPUGeneratorImpl}, {@code MT19937RNGEngine.h},
 * {@code DistributionsHelper.h}, {@code cpu/DistributionTemplates.h}):
 * <ul>
 * <li>The engine is a 32-bit Mersenne Twister initialised from the low 32 bits of the 64-bit
 *     seed (seeds 5 and 2<sup>32</sup> + 5 give the same stream).</li>
 * <li>A float32 tensor of 16 or more elements is filled with uniform floats
 *     {@code (u32 & 0xffffff) / 2^24}; each block of 16 then becomes 16 normals by Box-Muller on
 *     lanes j and j + 8: {@code r = sqrt(-2 log(1 - u[j]))}, {@code theta = 2 pi u[j+8]},
 *     {@code out[j] = r cos(theta)}, {@code out[j+8] = r sin(theta)}. When the size is not a
 *     multiple of 16, 16 fresh uniforms overwrite the last 16 values and are transformed again.
 *     The float log/sin/cos are those of torch's AVX2 kernel ({@link AvxMathFun}).</li>
 * <li>Smaller tensors take the scalar path: double uniforms from 53 bits of two draws, Box-Muller
 *     in double, whose second value (the sine) is cached in the generator and returned by the
 *     next scalar draw, even one in a later call.</li>
 * </ul>
 * Not thread-safe: like a torch generator it is a stream consumed in order.
 */
public final class TorchGenerator {
    private static final int N = 624;
    private static final int M = 397;
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);

    private final long seed;
    private final int[] state = new int[N];
    private int next = N;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** Equivalent to {@code torch.manual_seed(seed)}; the seed is read as an unsigned 64-bit value. */
    public TorchGenerator(long seed) {
        this.seed = seed;
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
        }
    }

    public long seed() {
        return seed;
    }

    /** The next 32 random bits of the Mersenne Twister (torch's {@code random()}). */
    int nextInt() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >>> 18);
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
            state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : 0x9908b0df);
        }
        next = 0;
    }

    /** torch's {@code uniform_real_distribution<float>(0, 1)}: 24 random bits. */
    private float uniformFloat() {
        return (nextInt() & 0xffffff) * 0x1p-24f;
    }

    /** torch's {@code uniform_real_distribution<double>(0, 1)}: 53 bits of {@code random64()}. */
    private double uniformDouble() {
        long hi = nextInt() & 0xffffffffL;
        long lo = nextInt() & 0xffffffffL;
        return (((hi << 32) | lo) & ((1L << 53) - 1)) * 0x1p-53;
    }

    /**
     * {@code torch.randn(shape)}: standard normal float32 values in row-major order. Consecutive
     * calls continue the stream as consecutive torch calls do.
     */
    public float[] randn(long... shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + java.util.Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " has too many elements for one array");
        }
        float[] out = new float[(int) count];
        if (out.length >= 16) {
            normalFill(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) scalarNormal();
            }
        }
        return out;
    }

    /** {@link #randn(long...)} as an array of {@code manager}. */
    public NDArray randn(NDManager manager, Shape shape) {
        return Owned.floats(manager, randn(shape.getShape()), shape);
    }

    private void normalFill(float[] data) {
        int size = data.length;
        for (int i = 0; i < size; i++) {
            data[i] = uniformFloat();
        }
        float[] sincos = new float[2];
        for (int i = 0; i + 16 <= size; i += 16) {
            boxMuller16(data, i, sincos);
        }
        if (size % 16 != 0) {
            int start = size - 16;
            for (int i = start; i < size; i++) {
                data[i] = uniformFloat();
            }
            boxMuller16(data, start, sincos);
        }
    }

    private static void boxMuller16(float[] data, int offset, float[] sincos) {
        for (int j = offset; j < offset + 8; j++) {
            float radius = (float) Math.sqrt(-2f * AvxMathFun.log(1f - data[j]));
            AvxMathFun.sincos(TWO_PI_F * data[j + 8], sincos);
            data[j] = radius * sincos[1];
            data[j + 8] = radius * sincos[0];
        }
    }

    /** torch's {@code normal_distribution<double>(0, 1)} with the generator's cached second value. */
    private double scalarNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }
}
