package org.conceptsliders.runtime.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The one source of training randomness (noise, timesteps, batch order): SplitMix64, whose whole
 * state is one {@code long}, so that a checkpoint saves it and a resumed run draws exactly the
 * numbers the uninterrupted run would have drawn. Values are generated on the Java side, so they
 * do not depend on the device or the engine's own generator.
 */
public final class TrainRandom {
    private long state;

    public TrainRandom(long seed) {
        this.state = seed;
    }

    /** The generator's state: {@code new TrainRandom(r.state())} continues where {@code r} is. */
    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long r;
        long m;
        do { // reject the top partial range of the 63-bit draw so that every residue is equally likely
            r = nextLong() >>> 1;
            m = r % bound;
        } while (r - m + (bound - 1) < 0);
        return (int) m;
    }

    /** Standard normal by Box-Muller; uses two draws and keeps no spare so that the state stays one long. */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A float32 array of standard normal values in {@code manager}. */
    public NDArray randn(NDManager manager, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) nextGaussian();
        }
        return Owned.floats(manager, v, shape);
    }

    /** A float32 array uniform in [low, high) in {@code manager}. */
    public NDArray uniform(NDManager manager, double low, double high, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (low + (high - low) * nextDouble());
        }
        return Owned.floats(manager, v, shape);
    }
}
