package org.conceptsliders.sliders.train;

import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.sliders.DiffusionStudio;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Slider;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both trainers on the model_sdxl fixture (two text encoders, penultimate states, pooled
 * embeddings, time ids): each writes an SDXL slider in kohya's LDM naming that the generation
 * path loads and that changes the image.
 */
class SdxlSliderTrainingTest {
    @TempDir
    Path dir;

    @Test
    void textAndPairSlidersTrainOnSdxl() throws Exception {
        Path text = dir.resolve("text.safetensors");
        Path pairs = dir.resolve("pairs.safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(Reference.path("model_sdxl"), Compute.cpu())) {
            PromptSet set = new PromptSet("a person", "a person, old", "a person, young", "a person",
                    PromptSet.Action.ENHANCE, 2.0, 64, false, 1);
            TrainResult r = new TextSliderTrainer(model).train(TextSliderConfig.of(List.of(set)).withIterations(2)
                    .withMaxDenoisingSteps(3).withLearningRate(1e-2), text, TrainingOptions.defaults().withSeed(1));
            assertEquals(2, r.steps());

            Path low = Files.createDirectories(dir.resolve("low"));
            Path high = Files.createDirectories(dir.resolve("high"));
            TrainConfigTest.write(low.resolve("a.png"), 64, 64, "png");
            TrainConfigTest.write(high.resolve("a.jpg"), 64, 64, "jpg");
            PairSliderConfig pc = PairSliderConfig.of(ImagePairs.fromFolders(low, high), "a photo")
                    .withIterations(2).withLearningRate(1e-2).withSize(64);
            new PairSliderTrainer(model).train(pc, pairs, TrainingOptions.defaults().withSeed(1));
        }
        try (DiffusionStudio studio = DiffusionStudio.open(Reference.path("model_sdxl"), Compute.cpu())) {
            GenerateRequest plain = new GenerateRequest("a person", "", 5, 2, 5.0, 64, 64, "euler", List.of());
            int[] off = studio.generate(plain, ProgressListener.NONE, CancelToken.none()).argb();
            for (Path slider : List.of(text, pairs)) {
                try (SafeTensors st = SafeTensors.open(slider); NDManager m = NDManager.newBaseManager();
                     Slider s = Slider.load(slider, m)) {
                    assertEquals("sdxl_base_v1-0", st.metadata().get("ss_base_model_version"), slider.toString());
                    assertTrue(st.keys().stream().anyMatch(k -> k.startsWith("lora_unet_input_blocks_")),
                            "kohya's LDM layout for SDXL: " + st.keys().iterator().next());
                    assertEquals(4, s.rank());
                }
                int[] on = studio.generate(plain.withSliders(List.of(new SliderSpec(slider, 3.0, java.util.OptionalInt.of(1000),
                        java.util.OptionalInt.empty()))), ProgressListener.NONE, CancelToken.none()).argb();
                assertFalse(java.util.Arrays.equals(off, on), slider + " changes the SDXL generation");
            }
        }
    }
}
