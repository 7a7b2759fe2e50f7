package org.conceptsliders.runtime.unet;

import org.conceptsliders.runtime.nn.ResnetBlock2D;

/** What every ResnetBlock2D of a UNet shares: time-embedding width, group count and epsilon. */
record ResnetSpec(long tembChannels, int groups, float eps) {
    ResnetBlock2D resnet(long in, long out, float outputScaleFactor) {
        return new ResnetBlock2D(in, out, tembChannels, groups, eps, outputScaleFactor);
    }
}
