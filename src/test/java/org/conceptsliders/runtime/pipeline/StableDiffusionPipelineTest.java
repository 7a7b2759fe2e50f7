package org.conceptsliders.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.TensorFiles;
import org.conceptsliders.runtime.schedulers.Sampler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whole runs against diffusers' StableDiffusionPipeline and StableDiffusionXLPipeline (8 steps). */
class StableDiffusionPipelineTest {
    private static StableDiffusionModel sd1;
    private static StableDiffusionModel sdxl;

    @BeforeAll
    static void load() throws Exception {
        sd1 = StableDiffusionModel.load(Reference.path("model_sd1"), Compute.cpu());
        sdxl = StableDiffusionModel.load(Reference.path("model_sdxl"), Compute.cpu());
    }

    @AfterAll
    static void close() {
        sd1.close();
        sdxl.close();
    }

    @Test
    void sd1TextToImageMatchesDiffusers() throws Exception {
        assertEquals(ModelKind.SD1, sd1.kind());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = TensorFiles.loadAll(Reference.path("pipeline_sd1/io.safetensors"), m);
            StableDiffusionPipeline p = new StableDiffusionPipeline(sd1);
            Sampler sampler = sd1.scheduler(SchedulerKind.DDIM).forSteps(8);
            PromptEmbeddings emb = p.encode("a photo of a cat", "", 1, 128, 128, m);
            NDArray x0 = io.get("latents_init").mul(sampler.initNoiseSigma());
            NDArray fin = p.denoise(x0, emb, sampler, 7.5, 0, TimestepHook.NONE, ProgressListener.NONE, CancelToken.none());
            double e1 = Reference.assertClose(fin, io.get("latents_final_scale_+0.0"), Reference.PIPELINE_TOL, "latents");
            double e2 = Reference.assertClose(p.decode(fin), io.get("image_scale_+0.0"), Reference.PIPELINE_TOL, "image");
            System.out.printf("pipeline_sd1: latents %.2e, image %.2e%n", e1, e2);
        }
    }

    @Test
    void sdxlTextToImageMatchesDiffusers() throws Exception {
        assertEquals(ModelKind.SDXL, sdxl.kind());
        assertEquals(SchedulerKind.EULER, sdxl.defaultScheduler());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = TensorFiles.loadAll(Reference.path("pipeline_sdxl/io.safetensors"), m);
            StableDiffusionPipeline p = new StableDiffusionPipeline(sdxl);
            Sampler sampler = sdxl.scheduler(SchedulerKind.EULER).forSteps(8);
            PromptEmbeddings emb = p.encode("a photo of a cat", null, 1, 128, 128, m);
            Reference.assertClose(emb.hidden().get("1:"), io.get("prompt_embeds"), Reference.MODULE_TOL, "prompt_embeds");
            Reference.assertClose(emb.pooled().get("1:"), io.get("pooled_prompt_embeds"), Reference.MODULE_TOL, "pooled");
            NDArray x0 = io.get("latents_init").mul(sampler.initNoiseSigma());
            NDArray fin = p.denoise(x0, emb, sampler, 5.0, 0, TimestepHook.NONE, ProgressListener.NONE, CancelToken.none());
            double e1 = Reference.assertClose(fin, io.get("latents_final"), Reference.PIPELINE_TOL, "latents");
            double e2 = Reference.assertClose(p.decode(fin), io.get("image"), Reference.PIPELINE_TOL, "image");
            System.out.printf("pipeline_sdxl: latents %.2e, image %.2e%n", e1, e2);
        }
    }
}
