package org.conceptsliders.cli;

import org.conceptsliders.runtime.Compute;
import picocli.CommandLine.Option;

/** {@code --device}, the same on every command that runs a model. */
final class DeviceOption {
    @Option(names = "--device", defaultValue = "auto",
            description = "auto (CUDA when libtorch has it and a GPU is present, else CPU), cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String spec;

    Compute compute() {
        return Compute.parse(spec);
    }
}
