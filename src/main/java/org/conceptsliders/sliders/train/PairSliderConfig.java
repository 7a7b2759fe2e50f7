package org.conceptsliders.sliders.train;

import java.util.List;

/**
 * A visual slider's settings.
 *
 * @param levels     image pairs per scale (one level at scale 1 is the paper's setting)
 * @param prompt     the conditioning of every pair (default empty)
 * @param size       the shorter side images are scaled to before encoding; 0 picks 256 for
 *                   SD 1.x/2.x and 512 for SDXL, capped at the model's native size
 * @param method     the layers trained (default noxattn with conv layers, as the paper's code)
 * @param iterations optimizer steps (default 1000)
 * @param lr         AdamW learning rate (default 2e-4; 1e-5 when results turn to noise)
 * @param symmetry   weight of the term that keeps the slider's effect odd in its scale (0: the
 *                   paper's objective; see {@link PairSliderTrainer})
 */
public record PairSliderConfig(List<ImagePairs.Level> levels, String prompt, int size, TrainMethod method,
                               boolean convLayers, int rank, float alpha, int iterations, double lr, double symmetry) {

    public PairSliderConfig {
        levels = List.copyOf(levels);
        prompt = prompt == null ? "" : prompt;
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("pairs: at least one image pair is needed");
        }
        if (size < 0 || size % 8 != 0) {
            throw new IllegalArgumentException("size: must be 0 (automatic) or a positive multiple of 8, got " + size);
        }
        if (rank < 1) {
            throw new IllegalArgumentException("rank: must be at least 1, got " + rank);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations: must be at least 1, got " + iterations);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("lr: must be positive, got " + lr);
        }
        if (!(symmetry >= 0) || Double.isInfinite(symmetry)) {
            throw new IllegalArgumentException("symmetry: must be a finite weight >= 0, got " + symmetry);
        }
    }

    /** One level at scale 1 with the defaults. */
    public static PairSliderConfig of(List<ImagePairs.Pair> pairs, String prompt) {
        return new PairSliderConfig(List.of(new ImagePairs.Level(1.0, pairs)), prompt, 0, TrainMethod.NOXATTN, true, 4, 1f,
                1000, 2e-4, 0);
    }

    public PairSliderConfig withIterations(int n) {
        return new PairSliderConfig(levels, prompt, size, method, convLayers, rank, alpha, n, lr, symmetry);
    }

    public PairSliderConfig withRank(int r) {
        return new PairSliderConfig(levels, prompt, size, method, convLayers, r, alpha, iterations, lr, symmetry);
    }

    public PairSliderConfig withSize(int s) {
        return new PairSliderConfig(levels, prompt, s, method, convLayers, rank, alpha, iterations, lr, symmetry);
    }

    public PairSliderConfig withLearningRate(double l) {
        return new PairSliderConfig(levels, prompt, size, method, convLayers, rank, alpha, iterations, l, symmetry);
    }

    public PairSliderConfig withMethod(TrainMethod m, boolean conv) {
        return new PairSliderConfig(levels, prompt, size, m, conv, rank, alpha, iterations, lr, symmetry);
    }

    public PairSliderConfig withSymmetry(double w) {
        return new PairSliderConfig(levels, prompt, size, method, convLayers, rank, alpha, iterations, lr, w);
    }
}
