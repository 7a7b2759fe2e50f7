package org.conceptsliders.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.AtomicFiles;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.sliders.Studio;
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
 * VAE decode. With {@code --random-sd15} it first writes an SD 1.5-shaped folder of random fp16
 * weights and starts the memory count after that. The generation options are {@code generate}'s.
 */
@Command(name = "bench-pipeline", mixinStandardHelpOptions = true,
        description = "Time one generation (load, denoising steps, decode), with generate's options, and print JSON with"
                + " the peak resident memory. --random-sd15: on random SD 1.5-shaped weights, written to a temporary folder first.")
final class BenchPipelineCommand implements Callable<Integer> {
    @Mixin
    GenerationOptions generation;

    @Option(names = "--random-sd15", description = "Instead of --model: a folder of SD 1.5's shape with random fp16 weights,"
            + " written to a temporary folder and deleted after.")
    boolean randomSd15;

    @Override
    public Integer call() throws Exception {
        if (randomSd15 && generation.model != null) {
            throw new IllegalArgumentException("--random-sd15 and --model: give one of them");
        }
        Path scratch = null;
        if (randomSd15) {
            scratch = Files.createTempDirectory("bench-pipeline");
            generation.model = scratch.resolve("sd15-random");
            System.err.println("writing random SD 1.5-shaped weights to " + generation.model);
            RandomModel.writeSd15(generation.model);
        }
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("peak_rss_counts_from", resetPeakRss() ? "model load" : "process start");
            long[] stepsPeakMb = {-1};
            long t0 = System.nanoTime();
            try (Studio studio = generation.open()) {
                GenerateRequest request = generation.request(studio, List.of());
                out.put("model", randomSd15 ? "random sd15-shaped (fp16 files)" : studio.describe());
                out.put("device", generation.device.compute().describe());
                out.put("width", request.width());
                out.put("height", request.height());
                out.put("steps", request.steps());
                out.put("guidance", request.guidance());
                out.put("load_s", seconds(System.nanoTime() - t0));
                List<Long> stepEnds = new ArrayList<>();
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
                AtomicFiles.deleteTree(scratch);
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
}
