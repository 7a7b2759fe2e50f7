package org.conceptsliders.cli;

import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.SliderCard;
import org.conceptsliders.sliders.SliderLibrary;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;
import org.conceptsliders.sliders.Studios;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/** The options every generating subcommand shares (picocli mixin). */
final class GenerationOptions {
    @Option(names = "--model", description = "A diffusers model folder. Default: the embedded shapes model.")
    Path model;

    @Option(names = "--prompt", required = true, description = "The prompt.")
    String prompt;

    @Option(names = "--negative", defaultValue = "", description = "The negative prompt (default: none).")
    String negative;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial noise, as torch.manual_seed on the CPU (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", defaultValue = "25", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--guidance", description = "Classifier-free guidance scale (default: 7.5; edit: 1, as DDIM inversion"
            + " drifts at higher guidance).")
    Double guidance;

    @Option(names = "--width", description = "Image width, a multiple of 8 (default: the model's native size).")
    Integer width;

    @Option(names = "--height", description = "Image height, a multiple of 8 (default: the model's native size).")
    Integer height;

    @Option(names = "--scheduler", description = "ddim or euler (default: the model folder's).")
    String scheduler;

    @Mixin
    DeviceOption device;

    Studio open() {
        return Studios.open(model, device.spec);
    }

    /** The request these options describe, with {@code sliders} (FILE:SCALE[:START] texts) on. */
    GenerateRequest request(Studio studio, List<String> sliders) {
        return request(studio, sliders.stream().map(GenerationOptions::slider).toList(), 7.5);
    }

    /** The request with these sliders on, and the guidance used when --guidance is not given. */
    GenerateRequest request(Studio studio, List<SliderSpec> sliders, double defaultGuidance) {
        int w = width == null ? studio.nativeSize() : width;
        int h = height == null ? studio.nativeSize() : height;
        String sched = scheduler != null ? scheduler : studio.defaultScheduler();
        return new GenerateRequest(prompt, negative, seed, steps, guidance != null ? guidance : defaultGuidance, w, h, sched,
                sliders);
    }

    /**
     * FILE:SCALE[:START], where FILE may also be a slider's file or card name in ./sliders; with
     * no START the slider's card gives it, if it says.
     */
    static SliderSpec slider(String text) {
        return library(SliderSpec.parse(text), text);
    }

    /** A slider whose scale a sweep sets: FILE alone, or FILE:SCALE[:START] whose scale is ignored. */
    static SliderSpec swept(String text) {
        SliderSpec s;
        try {
            s = SliderSpec.parse(text);
        } catch (IllegalArgumentException e) {
            s = SliderSpec.parse(text + ":0");
        }
        return library(s, text);
    }

    private static SliderSpec library(SliderSpec s, String text) {
        Path file = s.file();
        if (!Files.exists(file) && file.getParent() == null) {
            try {
                file = new SliderLibrary(Path.of("sliders")).resolve(file.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--slider " + text + ": " + e.getMessage(), e);
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--slider " + text + ": file " + file + " not found");
        }
        OptionalInt start = s.startNoise().isPresent() ? s.startNoise() : SliderCard.of(file).startNoise();
        return new SliderSpec(file, s.scale(), start, s.stopNoise());
    }
}
