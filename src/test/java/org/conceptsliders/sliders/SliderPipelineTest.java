package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.TensorFiles;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.PromptEmbeddings;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.pipeline.StableDiffusionPipeline;
import org.conceptsliders.runtime.schedulers.Sampler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A whole slider run against the paper's inference (slider switched on once t <= start_noise). */
class SliderPipelineTest {
    private static DiffusionStudio studio;

    @BeforeAll
    static void load() throws Exception {
        studio = new DiffusionStudio(StableDiffusionModel.load(Reference.path("model_sd1"), Compute.cpu()));
    }

    @AfterAll
    static void close() {
        studio.close();
    }

    private static NDArray run(SliderSpec spec, boolean merged, Map<String, NDArray> io, NDManager m) throws Exception {
        StableDiffusionModel model = studio.model();
        StableDiffusionPipeline p = new StableDiffusionPipeline(model);
        Sampler sampler = model.scheduler(SchedulerKind.DDIM).forSteps(8);
        PromptEmbeddings emb = p.encode("a photo of a cat", "", 1, 128, 128, m);
        try (SliderSet set = SliderSet.attach(model.unet(), model.textEncoder(), null, List.of(spec), m)) {
            if (merged) {
                set.merge();
            }
            NDArray fin = p.denoise(io.get("latents_init"), emb, sampler, 7.5, 0, set, ProgressListener.NONE, CancelToken.none());
            set.restore();
            return fin;
        }
    }

    @Test
    void sliderAtTwoWithStartNoise800MatchesThePapersInference() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = TensorFiles.loadAll(Reference.path("pipeline_sd1/io.safetensors"), m);
            SliderSpec spec = new SliderSpec(Reference.path("lora_sd1_noxattn_conv/slider.safetensors"), 2.0,
                    OptionalInt.of(800), OptionalInt.empty());
            for (boolean merged : new boolean[] {false, true}) {
                NDArray fin = run(spec, merged, io, m);
                double e = Reference.assertClose(fin, io.get("latents_final_scale_+2.0"), Reference.PIPELINE_TOL,
                        "latents, merged=" + merged);
                StableDiffusionPipeline p = new StableDiffusionPipeline(studio.model());
                Reference.assertClose(p.decode(fin), io.get("image_scale_+2.0"), Reference.PIPELINE_TOL, "image");
                System.out.printf("pipeline_sd1 slider +2.0 (merged=%s): latents %.2e%n", merged, e);
            }
        }
    }

    @Test
    void scaleZeroGivesExactlyTheImageWithoutSlider() {
        GenerateRequest plain = new GenerateRequest("a photo of a cat", "", 7, 4, 7.5, 64, 64, "ddim", List.of());
        RgbImage a = studio.generate(plain, ProgressListener.NONE, CancelToken.none());
        SliderSpec zero = new SliderSpec(Reference.path("lora_sd1_xattn/slider.safetensors"), 0.0);
        RgbImage b = studio.generate(plain.withSliders(List.of(zero)), ProgressListener.NONE, CancelToken.none());
        assertArrayEquals(a.argb(), b.argb());
        RgbImage c = studio.generate(plain.withSliders(List.of(zero.withScale(3))), ProgressListener.NONE, CancelToken.none());
        assertFalse(java.util.Arrays.equals(a.argb(), c.argb()), "scale 3 must change the image");
    }

    @Test
    void imageToImageStartsFromTheNoisedInitLatent() {
        GenerateRequest r = new GenerateRequest("a cat", "", 4, 4, 7.5, 32, 32, "ddim", List.of());
        RgbImage init = studio.generate(r, ProgressListener.NONE, CancelToken.none());
        // strength 0.2 of 4 steps runs no step: the result is the VAE round trip of the init image
        RgbImage none = studio.imageToImage(init, r, 0.2, ProgressListener.NONE, CancelToken.none());
        StableDiffusionPipeline p = new StableDiffusionPipeline(studio.model());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray roundTrip = p.decode(p.encodeImage(org.conceptsliders.runtime.pipeline.Images.fromArgb(init.argb(), 32, 32, m)));
            assertArrayEquals(org.conceptsliders.runtime.pipeline.Images.toArgb(roundTrip, 0), none.argb());
        }
        List<Integer> seen = new java.util.ArrayList<>();
        RgbImage half = studio.imageToImage(init, r, 0.5, pr -> seen.add(pr.step()), CancelToken.none());
        assertEquals(List.of(1, 2), seen, "strength 0.5 of 4 steps runs the last 2");
        assertFalse(java.util.Arrays.equals(none.argb(), half.argb()));
    }

    @Test
    void sweepLabelsEachImageInOrder() {
        GenerateRequest r = new GenerateRequest("a cat", "", 3, 2, 5, 32, 32, "euler", List.of());
        SliderSpec s = new SliderSpec(Reference.path("lora_sd1_xattn/slider.safetensors"), 1.0);
        List<RgbImage> out = studio.sweep(r, s, new double[] {-1, 0, 1}, null, null, ProgressListener.NONE, CancelToken.none());
        assertEquals(3, out.size());
        assertEquals("slider -1 | seed 3 | a cat", out.get(0).label());
        assertEquals("slider 1 | seed 3 | a cat", out.get(2).label());
        assertEquals("3", out.get(1).parameters().get("seed"));
    }
}
