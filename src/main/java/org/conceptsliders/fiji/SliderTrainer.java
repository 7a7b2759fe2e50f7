package org.conceptsliders.fiji;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;

import java.nio.file.Path;
import java.util.List;

/**
 * Trains a Concept Slider (a LoRA on the UNet) and writes it as a safetensors file. The Fiji
 * commands give it a temporary {@code output} and move the file into the sliders folder only
 * when training finished, so a failed or cancelled run leaves nothing half-written.
 */
public interface SliderTrainer {

    /**
     * Text sliders (Concept Sliders §3.1): from a config file (the authors' prompts YAML) when
     * {@code config} is not null, else from one target with an enhancing and a suppressing prompt.
     */
    void trainFromPrompts(Path config, String target, String positive, String negative,
                          int iterations, int rank, Path output, ProgressListener progress, CancelToken cancel);

    /**
     * Image sliders (§3.2): {@code low.get(i)} and {@code high.get(i)} show the same scene with
     * less and more of the concept; both lists have the same length. {@code symmetry} weighs the
     * term that keeps the slider's effect odd in its scale (0: the paper's objective).
     */
    void trainFromPairs(List<RgbImage> low, List<RgbImage> high, String prompt, int iterations, int rank,
                        double symmetry, Path output, ProgressListener progress, CancelToken cancel);
}
