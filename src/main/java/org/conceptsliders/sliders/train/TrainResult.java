package org.conceptsliders.sliders.train;

import java.nio.file.Path;

/**
 * What a finished slider run produced.
 *
 * @param slider       the written .safetensors
 * @param steps        iterations done (fewer than asked when stopped early)
 * @param loss         the loss of the last iteration
 * @param stoppedEarly true when the effect probe stayed flat and the run stopped
 * @param lastChange   the probe's last mean absolute change between -m and +m (NaN without probe)
 */
public record TrainResult(Path slider, int steps, float loss, boolean stoppedEarly, double lastChange) {
}
