package org.conceptsliders.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.sliders.DiffusionStudio;
import org.conceptsliders.sliders.GenerateRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A whole text-to-image generation (load, text encoder, guided denoising steps, VAE decode), as
 * a user runs it, with its time per phase and the process's peak resident memory: the figure a
 * "fits in N GB" claim rests on, split into the denoising part (text encoder included) and the
 * VAE decode. Without {@code --model} it writes an SD 1.5-shaped folder of
 * random fp16 weights first and starts the memory count after that.
 */
@Command(name = "bench-pipeline", mixinStandardHelpOptions = true,
        description = "Time one generation (load, denoising steps, decode) and print JSON with the peak resident"
                + " memory. Without --model: a random-weight SD 1.5-shaped folder, written to a temporary folder first.")
final class BenchPipelineCommand implements Callable<Integer> {
    @Option(names = "--model", description = "A diffusers folder (default: random SD 1.5-shaped weights).")
    Path model;

    @Option(names = "--width", defaultValue = "512", description = "Image width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "Image height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--steps", defaultValue = "4", description = "Denoising steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.5", description = "Guidance scale; above 1 doubles the UNet batch (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        Compute compute = device.compute();
        Path dir = model;
        Path scratch = null;
        if (dir == null) {
            scratch = Files.createTempDirectory("bench-pipeline");
            dir = scratch.resolve("sd15-random");
            System.err.println("writing random SD 1.5-shaped weights to " + dir);
            RandomModel.writeSd15(dir);
        }
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("peak_rss_counts_from", resetPeakRss() ? "model load" : "process start");
            long[] stepsPeakMb = {-1};
            long t0 = System.nanoTime();
            try (DiffusionStudio studio = DiffusionStudio.open(dir, compute)) {
                out.put("model", model == null ? "random sd15-shaped (fp16 files)" : studio.describe());
                out.put("device", compute.describe());
                out.put("width", width);
                out.put("height", height);
                out.put("steps", steps);
                out.put("guidance", guidance);
                out.put("load_s", seconds(System.nanoTime() - t0));
                List<Long> stepEnds = new ArrayList<>();
                GenerateRequest request = new GenerateRequest("a photograph of an astronaut riding a horse", "", 1, steps,
                        guidance, width, height, studio.defaultScheduler(), List.of());
                long start = System.nanoTime();
                studio.generate(request, (Progress p) -> {
                    stepEnds.add(System.nanoTime());
                    if (p.step() == p.total()) {
                        // split the peak: text encoder and denoising before, the VAE decode after
                        stepsPeakMb[0] = peakRssMb();
                        resetPeakRss();
                    }
                }, CancelToken.none());
                long end = System.nanoTime();
                List<Double> stepSeconds = new ArrayList<>();
                for (int i = 1; i < stepEnds.size(); i++) {
                    stepSeconds.add(seconds(stepEnds.get(i) - stepEnds.get(i - 1)));
                }
                Collections.sort(stepSeconds);
                // before the first step: tokenizer, text encoder, noise; after the last: the VAE decode
                out.put("encode_and_first_step_s", stepEnds.isEmpty() ? null : seconds(stepEnds.get(0) - start));
                out.put("step_median_s", stepSeconds.isEmpty() ? null : stepSeconds.get(stepSeconds.size() / 2));
                out.put("decode_s", stepEnds.isEmpty() ? null : seconds(end - stepEnds.get(stepEnds.size() - 1)));
                out.put("generate_s", seconds(end - start));
            }
            out.put("peak_rss_steps_mb", stepsPeakMb[0]);
            out.put("peak_rss_decode_mb", BenchSupport.peakRssMb());
            System.out.println(new ObjectMapper().writeValueAsString(out));
            return 0;
        } finally {
            if (scratch != null) {
                deleteTree(scratch);
            }
        }
    }

    /** Linux: writing 5 to clear_refs resets VmHWM, so the peak leaves out writing the random weights. */
    private static boolean resetPeakRss() {
        System.gc();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long peakRssMb() {
        try {
            return BenchSupport.peakRssMb();
        } catch (IOException e) {
            return -1;
        }
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Collections.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
