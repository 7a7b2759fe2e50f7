package org.conceptsliders.runtime.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.ConfigException;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CLIPTextModelTest {

    /** Runs a fixture's input_ids through the model and checks every output it records. */
    private static void assertMatchesFixture(String fixture) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = SafeTensors.open(Reference.path(fixture + "/io.safetensors"))) {
            CLIPTextModel model = CLIPTextModel.load(Reference.path(fixture), m, Compute.cpu());
            TextEncoderOutput out;
            try (NDManager call = m.newSubManager()) {
                NDArray ids = io.load("input_ids", call);
                out = model.forward(ids);
                StringBuilder report = new StringBuilder(fixture);
                report.append(" last_hidden_state ").append(Reference.assertClose(out.lastHiddenState(),
                        io.load("last_hidden_state", call), Reference.MODULE_TOL, fixture + " last_hidden_state"));
                report.append(" penultimate_hidden_state ").append(Reference.assertClose(out.penultimateHiddenState(),
                        io.load("penultimate_hidden_state", call), Reference.MODULE_TOL, fixture + " penultimate"));
                report.append(" pooler_output ").append(Reference.assertClose(out.pooledOutput(),
                        io.load("pooler_output", call), Reference.MODULE_TOL, fixture + " pooler_output"));
                if (io.contains("text_embeds")) {
                    report.append(" text_embeds ").append(Reference.assertClose(out.textEmbeds(),
                            io.load("text_embeds", call), Reference.MODULE_TOL, fixture + " text_embeds"));
                } else {
                    assertNull(out.textEmbeds(), "no projection in " + fixture);
                }
                assertTrue(out.lastHiddenState().getManager() == call, "outputs belong to the ids' manager");
                System.out.println(report);
            }
        }
    }

    @Test
    void sd1QuickGeluEncoderMatchesReference() throws IOException {
        assertMatchesFixture("clip_text_sd1");
    }

    @Test
    void sdxlSecondEncoderWithProjectionMatchesReference() throws IOException {
        assertMatchesFixture("clip_text_sdxl_2");
    }

    @Test
    void tokenizerIdsFeedTheEncoder() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModel model = CLIPTextModel.load(Reference.path("clip_text_sd1"), m, Compute.cpu());
            int[][] ids = ClipTokenizer.load(Reference.path("tokenizer")).encode(java.util.List.of("a photo of a cat"));
            TextEncoderOutput out = model.forward(m.create(ids));
            assertEquals(new ai.djl.ndarray.types.Shape(1, 77, 32), out.lastHiddenState().getShape());
        }
    }

    @Test
    void unsupportedHiddenActNamesTheKey(@TempDir Path dir) throws IOException {
        String config = Files.readString(Reference.path("clip_text_sd1/config.json"))
                .replace("\"quick_gelu\"", "\"relu\"");
        Files.writeString(dir.resolve("config.json"), config);
        try (NDManager m = NDManager.newBaseManager()) {
            ConfigException e = assertThrows(ConfigException.class, () -> CLIPTextModel.load(dir, m, Compute.cpu()));
            assertEquals("hidden_act", e.key());
            assertTrue(e.getMessage().contains("relu") && e.getMessage().contains("quick_gelu"), e.getMessage());
        }
    }

    @Test
    void missingWeightsNameTheFile(@TempDir Path dir) throws IOException {
        Files.copy(Reference.path("clip_text_sd1/config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> CLIPTextModel.load(dir, m, Compute.cpu()));
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        }
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModel model = CLIPTextModel.load(Reference.path("clip_text_sd1"), m, Compute.cpu());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(m.create(new long[][] {{49406, 49408, 49407}})));
            assertTrue(e.getMessage().contains("49408"), e.getMessage());
        }
    }
}
