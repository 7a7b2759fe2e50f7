package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.pipeline.PromptEmbeddings;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.pipeline.StableDiffusionPipeline;
import org.conceptsliders.runtime.train.NoGrad;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text conditioning of every prompt a run uses, encoded once (the paper's
 * {@code PromptEmbedsCache}) through {@link StableDiffusionPipeline#encode}, so SDXL gets both
 * encoders' penultimate states, the pooled embedding and time ids exactly as in generation; and
 * the noise prediction of a batch in which each block of rows has its own prompt.
 */
final class Conditioning {
    /** One prompt: hidden [1, 77, D], pooled [1, P] or null. */
    record Cond(NDArray hidden, NDArray pooled) {
    }

    private final StableDiffusionModel model;
    private final StableDiffusionPipeline pipeline;
    private final NDManager manager;
    private final Map<String, Cond> cache = new HashMap<>();

    Conditioning(StableDiffusionModel model, NDManager manager) {
        this.model = model;
        this.pipeline = new StableDiffusionPipeline(model);
        this.manager = manager;
    }

    StableDiffusionPipeline pipeline() {
        return pipeline;
    }

    /** The prompt's conditional row (guidance 1 needs no unconditional one). */
    Cond get(String prompt) {
        return cache.computeIfAbsent(prompt, p -> {
            try (NoGrad ignored = NoGrad.enter(); NDManager tmp = manager.newSubManager()) {
                PromptEmbeddings e = pipeline.encode(p, "", 1, 8, 8, tmp);
                NDArray hidden = e.hidden().get("1:2");
                hidden.attach(manager);
                NDArray pooled = null;
                if (e.pooled() != null) {
                    pooled = e.pooled().get("1:2");
                    pooled.attach(manager);
                }
                return new Cond(hidden, pooled);
            }
        });
    }

    /**
     * eps(x, t, c): x holds {@code conds.size()} blocks of {@code batch} rows, block i conditioned
     * on {@code conds.get(i)}; all rows at timestep t. Arrays land in the manager of x.
     */
    NDArray eps(NDArray x, double t, List<Cond> conds, int batch) {
        NDManager m = x.getManager();
        long n = x.getShape().get(0);
        NDArray ts = Owned.floats(m, (float) t).repeat(0, n).toDevice(x.getDevice(), false);
        NDArray h = stack(conds.stream().map(Cond::hidden).toList(), batch, m);
        if (conds.get(0).pooled() == null) {
            return model.unet().forward(x, ts, h);
        }
        long height = x.getShape().get(2) * 8;
        long width = x.getShape().get(3) * 8;
        NDArray timeIds = Owned.floats(m, height, width, 0, 0, height, width).reshape(1, 6).repeat(0, n)
                .toDevice(x.getDevice(), false).toType(h.getDataType(), false);
        return model.unet().forward(x, ts, h, stack(conds.stream().map(Cond::pooled).toList(), batch, m), timeIds);
    }

    /** The cached rows, each repeated {@code batch} times, concatenated in {@code m} (never in the cache's manager). */
    private static NDArray stack(List<NDArray> rows, int batch, NDManager m) {
        if (rows.size() == 1 && batch == 1) {
            return rows.get(0);
        }
        NDList parts = new NDList();
        for (NDArray r : rows) {
            NDArray p = r.repeat(0, batch);
            p.attach(m);
            parts.add(p);
        }
        return NDArrays.concat(parts, 0);
    }
}
