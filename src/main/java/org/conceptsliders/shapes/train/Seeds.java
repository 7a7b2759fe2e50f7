package org.conceptsliders.shapes.train;

import org.conceptsliders.runtime.train.TrainRandom;

/**
 * Independent seeds for each use of the recipe's seed: a batch is a function of (seed, stream,
 * iteration) alone, so that a resumed run draws the same pictures and captions as one that
 * never stopped, whatever happened before.
 */
final class Seeds {
    static final long VAE_INIT = 1;
    static final long VAE_DATA = 2;
    static final long VAE_NOISE = 3;
    static final long SCALE = 4;
    static final long CACHE_SCENES = 5;
    static final long UNET_INIT = 6;
    static final long UNET_DATA = 7;
    static final long UNET_NOISE = 8;
    static final long COLOUR_SCENES = 9;
    static final long DECODER_DATA = 10;
    static final long DECODER_NOISE = 11;

    private Seeds() {
    }

    static long of(long seed, long stream, long index) {
        TrainRandom r = new TrainRandom(seed);
        long a = r.nextLong() ^ stream * 0x9E3779B97F4A7C15L;
        return new TrainRandom(a).nextLong() ^ new TrainRandom(index * 0xD1B54A32D192ED03L + stream).nextLong();
    }

    static long of(long seed, long stream) {
        return of(seed, stream, -1);
    }
}
