package org.conceptsliders.cli;

import org.conceptsliders.sliders.Inversion;
import picocli.CommandLine.Option;

/** How a real image is inverted ({@link Inversion}), the same on every command that edits one. */
final class InversionOptions {
    @Option(names = "--fit-steps", defaultValue = "0",
            description = "Gradient steps fitting the image's latent to the VAE decoder before inversion; sharper"
                    + " reconstructions, one decode and backward pass each (default: ${DEFAULT-VALUE}).")
    int fitSteps;

    @Option(names = "--inversion-iterations", defaultValue = "1",
            description = "Fixed-point iterations per DDIM inversion step (one more UNet call each; 0: diffusers'"
                    + " inversion) (default: ${DEFAULT-VALUE}).")
    int iterations;

    Inversion inversion() {
        return new Inversion(fitSteps, iterations);
    }
}
