package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Times one sampling step (a UNet forward at batch 2, as with classifier-free guidance) with
 * 0, 1 and 4 sliders, adapters unmerged and merged, as JSON. Not a test: the CLI's
 * {@code bench-sliders UNET_DIR SLIDER [SLIDER...]} runs it. Sliders are taken round-robin from the given files to make
 * up the 4.
 */
public final class SliderBenchmark {
    private SliderBenchmark() {
    }

    public static ObjectNode run(Path unetDir, List<Path> sliderFiles, int steps, Compute compute) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("unet", unetDir.toString());
        out.put("device", compute.describe());
        out.put("batch", 2);
        out.put("steps", steps);
        ArrayNode results = out.putArray("results");
        try (NDManager weights = NDManager.newBaseManager(compute.device())) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(unetDir, weights, compute);
            var c = unet.config();
            int size = 16;
            NDArray sample = weights.randomNormal(0, 1, new Shape(2, c.inChannels(), size, size), compute.dtype());
            NDArray t = Owned.floats(weights, 500, 500);
            NDArray text = weights.randomNormal(0, 1, new Shape(2, 77, c.crossAttentionDim(0)), compute.dtype());
            NDArray textEmbeds = null;
            NDArray timeIds = null;
            if (c.textTimeEmbedding()) {
                long pooled = c.projectionClassEmbeddingsInputDim() - 6L * c.additionTimeEmbedDim();
                textEmbeds = weights.randomNormal(0, 1, new Shape(2, pooled), compute.dtype());
                float px = size * 8;
                timeIds = Owned.floats(weights, new float[]{px, px, 0, 0, px, px, px, px, 0, 0, px, px}, new Shape(2, 6));
            }
            Step step = new Step(unet, sample, t, text, textEmbeds, timeIds);
            // libtorch's CPU kernels run slowly for the first tens of calls of a new graph (allocator
            // and oneDNN primitive caches): settle them before the first measurement.
            for (int i = 0; i < 30; i++) {
                step.run(weights);
            }
            for (int n : new int[]{0, 1, 4}) {
                List<SliderSpec> specs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    specs.add(new SliderSpec(sliderFiles.get(i % sliderFiles.size()), 1.0));
                }
                try (SliderSet set = SliderSet.attach(unet, null, null, specs, weights)) {
                    results.add(measure(json, step, n, "unmerged", steps, weights));
                    if (n > 0) {
                        long t0 = System.nanoTime();
                        set.merge();
                        double mergeMs = (System.nanoTime() - t0) / 1e6;
                        ObjectNode r = measure(json, step, n, "merged", steps, weights);
                        r.put("merge_ms", mergeMs);
                        results.add(r);
                        set.restore();
                    }
                }
            }
        }
        return out;
    }

    private record Step(UNet2DConditionModel unet, NDArray sample, NDArray t, NDArray text, NDArray textEmbeds,
                        NDArray timeIds) {
        void run(NDManager parent) {
            // Inputs copied into the call's manager, so that every temporary of the forward is freed with it.
            try (NDManager call = parent.newSubManager()) {
                unet.forward(in(sample, call), in(t, call), in(text, call), in(textEmbeds, call), in(timeIds, call))
                        .toFloatArray(); // waits for the device
            }
        }

        private static NDArray in(NDArray a, NDManager call) {
            if (a == null) {
                return null;
            }
            NDArray c = a.duplicate();
            c.attach(call);
            return c;
        }
    }

    private static ObjectNode measure(ObjectMapper json, Step step, int sliders, String mode, int steps, NDManager m) {
        for (int i = 0; i < 3; i++) {
            step.run(m); // warm-up: the first calls of a configuration pay for allocation and kernel selection
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.run(m);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(ms);
        ObjectNode r = json.createObjectNode();
        r.put("sliders", sliders);
        r.put("mode", mode);
        r.put("median_ms", ms.get(ms.size() / 2));
        r.put("mean_ms", ms.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        return r;
    }
}
