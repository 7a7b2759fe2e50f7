package org.conceptsliders.fiji.ij1;

import org.conceptsliders.fiji.PromptTraining;

/** ImageJ 1.x entry of {@link PromptTraining} (see plugins.config). */
public final class Train_Slider_from_Prompts extends Ij1Plugin<java.nio.file.Path> {
    public Train_Slider_from_Prompts() {
        super(new PromptTraining());
    }
}
