package org.conceptsliders.cli;

import org.conceptsliders.sliders.SliderBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Sampling-step time with 0, 1 and 4 sliders, merged and unmerged. */
@Command(name = "bench-sliders", mixinStandardHelpOptions = true,
        description = "Time one sampling step (UNet forward, batch 2) with 0, 1 and 4 sliders, unmerged and merged; prints JSON.")
final class BenchSlidersCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "UNET_DIR", description = "A UNet component folder.")
    Path unet;

    @Parameters(index = "1..*", paramLabel = "SLIDER", description = "Slider files, taken round-robin to make up 4.")
    List<Path> sliders;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per case (default: ${DEFAULT-VALUE}).")
    int steps;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        System.out.println(SliderBenchmark.run(unet, sliders, steps, device.compute()).toPrettyString());
        return 0;
    }
}
