package org.conceptsliders.fiji.ij1;

import org.conceptsliders.fiji.Library;

/** ImageJ 1.x entry of {@link Library} (see plugins.config). */
public final class Models_and_Sliders extends Ij1Plugin<String> {
    public Models_and_Sliders() {
        super(new Library());
    }
}
