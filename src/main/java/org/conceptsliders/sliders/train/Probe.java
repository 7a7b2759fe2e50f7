package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.pipeline.RgbImage;

import java.util.List;

/**
 * A measurement of the effect probe's previews, added as a column of the probe log (the shapes
 * world measures its attribute here, e.g. the mean radius of the circles).
 */
public interface Probe {
    /** The column name in the CSV log. */
    String name();

    /**
     * @param scales the slider scales of the previews, ascending (-m, 0, +m)
     * @param images the previews, one per scale, all from the same seed
     */
    double measure(double[] scales, List<RgbImage> images);
}
