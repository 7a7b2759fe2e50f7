package org.conceptsliders.fiji.ij1;

import org.conceptsliders.fiji.PairTraining;

/** ImageJ 1.x entry of {@link PairTraining} (see plugins.config). */
public final class Train_Slider_from_Image_Pairs extends Ij1Plugin<java.nio.file.Path> {
    public Train_Slider_from_Image_Pairs() {
        super(new PairTraining());
    }
}
