package org.conceptsliders.fiji.ij1;

import ij.ImagePlus;
import org.conceptsliders.fiji.Sweep;

/** ImageJ 1.x entry of {@link Sweep} (see plugins.config). */
public final class Slider_Sweep extends Ij1Plugin<ImagePlus> {
    public Slider_Sweep() {
        super(new Sweep());
    }
}
