package org.conceptsliders.cli;

import org.conceptsliders.runtime.unet.UNetConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the benchmark commands share: the UNet config to build, timing statistics, peak memory. */
final class BenchSupport {
    private BenchSupport() {
    }

    /** A UNet config.json, or "sd15" for SD 1.5's shape (a resource of this package). */
    static UNetConfig unetConfig(String config) throws IOException {
        if (!config.equals("sd15")) {
            return UNetConfig.read(Path.of(config));
        }
        Path tmp = Files.createTempFile("sd15-unet", ".json");
        try {
            RandomModel.copyResource(RandomModel.SD15 + "unet/config.json", tmp);
            return UNetConfig.read(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A UNet of that config with random weights (PyTorch's initialisation) in {@code m}. */
    static org.conceptsliders.runtime.unet.UNet2DConditionModel randomUnet(String config, ai.djl.ndarray.NDManager m,
                                                                           org.conceptsliders.runtime.Compute compute)
            throws IOException {
        var unet = new org.conceptsliders.runtime.unet.UNet2DConditionModel(unetConfig(config));
        org.conceptsliders.runtime.train.ParameterInit.initialize(unet, m, compute.dtype(),
                new org.conceptsliders.runtime.train.TrainRandom(0));
        return unet;
    }

    /** One warm-up call, then median, min and max seconds of {@code runs} timed calls. */
    static Map<String, Double> timed(int runs, Runnable fn) {
        fn.run();
        List<Double> ts = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            fn.run();
            ts.add((System.nanoTime() - t0) / 1e9);
        }
        Collections.sort(ts);
        int n = ts.size();
        double median = n % 2 == 1 ? ts.get(n / 2) : (ts.get(n / 2 - 1) + ts.get(n / 2)) / 2;
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("median_s", median);
        r.put("min_s", ts.get(0));
        r.put("max_s", ts.get(n - 1));
        return r;
    }

    /** VmHWM of /proc/self/status: the process's peak resident set, native memory included. */
    static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
