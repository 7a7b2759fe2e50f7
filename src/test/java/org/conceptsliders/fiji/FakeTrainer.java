package org.conceptsliders.fiji;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;

import java.nio.file.Path;
import java.util.List;

/** Writes an empty but valid slider file and remembers what it was asked; fails on request. */
final class FakeTrainer implements SliderTrainer {

    String asked;
    boolean fail;

    @Override
    public void trainFromPrompts(Path config, String target, String positive, String negative, int iterations,
                                 int rank, Path output, ProgressListener progress, CancelToken cancel) {
        asked = "prompts " + config + " " + target + " / " + positive + " / " + negative + " " + iterations + " " + rank;
        write(output);
    }

    @Override
    public void trainFromPairs(List<RgbImage> low, List<RgbImage> high, String prompt, int iterations, int rank,
                               double symmetry, Path output, ProgressListener progress, CancelToken cancel) {
        asked = "pairs " + low.size() + " " + low.get(0).width() + "x" + low.get(0).height() + " " + iterations + " " + rank
                + " " + symmetry;
        write(output);
    }

    private void write(Path output) {
        Fixtures.writeSlider(output);
        if (fail) {
            throw new IllegalStateException("training diverged");
        }
    }
}
