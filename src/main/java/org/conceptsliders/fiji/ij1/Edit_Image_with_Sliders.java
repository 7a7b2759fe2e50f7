package org.conceptsliders.fiji.ij1;

import ij.ImagePlus;
import org.conceptsliders.fiji.Edit;

/** ImageJ 1.x entry of {@link Edit} (see plugins.config). */
public final class Edit_Image_with_Sliders extends Ij1Plugin<ImagePlus> {
    public Edit_Image_with_Sliders() {
        super(new Edit());
    }
}
