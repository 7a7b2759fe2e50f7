package org.conceptsliders.cli;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Studio;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Text to image, with any number of sliders. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate images from a prompt, with sliders at their scales. One image: PNG (with A1111's"
                + " 'parameters' chunk) or TIFF; several (--batch): a TIFF stack with one labelled slice each.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    GenerationOptions options;

    @Option(names = "--slider", paramLabel = "FILE:SCALE[:START_NOISE]",
            description = "A slider with its scale and optional start_noise (repeatable; a bare name means sliders/NAME.safetensors).")
    List<String> sliders = new ArrayList<>();

    @Option(names = "--batch", defaultValue = "1", description = "Images to make, with seeds seed, seed+1, ... as A1111 numbers a batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--out", required = true, description = "Output .png (one image) or .tif.")
    Path out;

    @Option(names = "--init-image", description = "Image to image: start from this image (any type ImageJ opens; resized to the output size).")
    Path initImage;

    @Option(names = "--strength", defaultValue = "0.6", description = "Image to image: share of the steps that run, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double strength;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch: must be at least 1, got " + batch);
        }
        try (Studio studio = options.open(); ConsoleProgress bar = new ConsoleProgress("generate")) {
            System.err.println("model: " + studio.describe());
            GenerateRequest r = options.request(studio, sliders);
            RgbImage init = initImage == null ? null : ImageFiles.readRgb(initImage, r.width(), r.height());
            List<RgbImage> images = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                GenerateRequest ri = r.withSeed(r.seed() + i);
                images.add(init == null ? studio.generate(ri, bar, CancelToken.none())
                        : studio.imageToImage(init, ri, strength, bar, CancelToken.none()));
            }
            ImageFiles.write(images, out);
        }
        System.err.println("wrote " + out);
        return 0;
    }
}
