package org.conceptsliders.sliders;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;

import java.util.List;

/**
 * Everything a front end (the CLI, the Fiji commands, scripts) asks of one loaded model with
 * sliders. One instance holds one model's weights and a cache of loaded sliders; it is
 * {@link AutoCloseable} and closing it frees their native memory.
 */
public interface Studio extends AutoCloseable {

    /** Text to image with the request's sliders. */
    RgbImage generate(GenerateRequest request, ProgressListener progress, CancelToken cancel);

    /**
     * One prompt and seed, one image per scale of {@code slider} (outer loop) and, when
     * {@code slider2} is not null, per scale of {@code slider2} (inner loop): same initial noise
     * for all, each labelled with prompt, seed, slider and scale. The request's own sliders stay
     * on at their scales.
     */
    List<RgbImage> sweep(GenerateRequest request, SliderSpec slider, double[] scales,
                         SliderSpec slider2, double[] scales2, ProgressListener progress, CancelToken cancel);

    /**
     * Edits a real image: DDIM-inverts {@code image} (width and height multiples of 8) under the
     * request's prompt (DDIM, without sliders), then regenerates it with the request's sliders.
     * One result per entry of {@code scales} applied to the first slider of the request (or a
     * single result at the request's scales when {@code scales} is null), all from one inversion
     * made as {@code inversion} says.
     */
    List<RgbImage> edit(RgbImage image, GenerateRequest request, double[] scales, Inversion inversion,
                        ProgressListener progress, CancelToken cancel);

    /** The image side the model was trained at (SD 1.5: 512, SDXL: 1024): the default size. */
    int nativeSize();

    /** The folder's own scheduler, "ddim" or "euler" (SDXL folders say Euler). */
    String defaultScheduler();

    /**
     * Image to image: {@code init} (the request's size) encoded, noised to the level where the
     * last floor(steps x strength) steps start, and denoised with the request's sliders.
     */
    RgbImage imageToImage(RgbImage init, GenerateRequest request, double strength, ProgressListener progress,
                          CancelToken cancel);

    /** A short description of the loaded model (folder, kind SD1/SD2/SDXL, device). */
    String describe();

    @Override
    void close();
}
