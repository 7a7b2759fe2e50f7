package org.conceptsliders.fiji.ij1;

import ij.ImagePlus;
import org.conceptsliders.fiji.Generation;

/** ImageJ 1.x entry of {@link Generation} (see plugins.config). */
public final class Generate_ extends Ij1Plugin<ImagePlus> {
    public Generate_() {
        super(new Generation());
    }
}
