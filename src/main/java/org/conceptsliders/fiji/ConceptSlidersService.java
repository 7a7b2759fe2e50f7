package org.conceptsliders.fiji;

import net.imglib2.img.Img;
import net.imglib2.type.numeric.ARGBType;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Studio;
import org.scijava.service.SciJavaService;

import java.nio.file.Path;

/**
 * Concept Sliders in a SciJava context: the open models (cached by model folder and device,
 * shared with the ImageJ 1.x plugins) and a Java API that returns imglib2 images. Tests put in
 * a fake model with {@link #setFactory}, or a service of their own at a higher priority.
 */
public interface ConceptSlidersService extends SciJavaService {

    StudioCache cache();

    /** Replaces how models are opened; closes the models open so far. */
    default void setFactory(StudioFactory factory) {
        cache().setFactory(factory);
    }

    /** The model in {@code model} (null: the embedded one) on {@code device} ("auto", "cpu", "gpu"). */
    default Studio studio(Path model, String device) {
        return cache().studio(model, device);
    }

    /** Closes every open model and frees its memory. */
    default void release() {
        cache().release();
    }

    /** Generates one image as a 2-D {@code Img<ARGBType>} over the generated pixels. */
    default Img<ARGBType> generate(Path model, String device, GenerateRequest request) {
        return ArgbImgs.wrap(java.util.List.of(studio(model, device).generate(request, ProgressListener.NONE, CancelToken.none())));
    }
}
