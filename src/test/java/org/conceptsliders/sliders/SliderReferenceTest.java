package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.SafeTensorsWriter;
import org.conceptsliders.runtime.io.TensorFiles;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sliders on the unet_sd1 / unet_sdxl fixtures against the paper's LoRANetwork outputs. */
class SliderReferenceTest {
    private static NDManager weights;
    private static UNet2DConditionModel sd1;
    private static UNet2DConditionModel sdxl;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        weights = NDManager.newBaseManager(Compute.cpu().device());
        sd1 = UNet2DConditionModel.load(Reference.path("unet_sd1"), weights, Compute.cpu());
        sdxl = UNet2DConditionModel.load(Reference.path("unet_sdxl"), weights, Compute.cpu());
    }

    @AfterAll
    static void free() {
        weights.close();
    }

    private static NDArray run(UNet2DConditionModel unet, SafeTensors io, NDManager m) throws IOException {
        boolean xl = unet == sdxl;
        return unet.forward(io.load("sample", m), io.load("timestep", m), io.load("encoder_hidden_states", m),
                xl ? io.load("text_embeds", m) : null, xl ? io.load("time_ids", m) : null);
    }

    /** Unmerged and merged output of {@code unet} with the given sliders, each checked against {@code expected}. */
    private static double[] check(UNet2DConditionModel unet, String ioFixture, String expectedKey, List<SliderSpec> specs,
                                  String what) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = SafeTensors.open(Reference.path(ioFixture))) {
            NDArray expected = io.load(expectedKey, m);
            try (SliderSet set = SliderSet.attach(unet, null, null, specs, m)) {
                set.entries().forEach(e -> assertEquals(List.of(), e.unmatchedKeys(), what));
                double unmerged = Reference.assertClose(run(unet, io, m), expected, Reference.MODULE_TOL, what + " unmerged");
                set.merge();
                double merged = Reference.assertClose(run(unet, io, m), expected, Reference.MODULE_TOL, what + " merged");
                set.restore();
                System.out.printf("%s: relative L2 unmerged %.3g, merged %.3g%n", what, unmerged, merged);
                return new double[]{unmerged, merged};
            }
        }
    }

    private static void paper(String fixture, String file, String scale) throws IOException {
        UNet2DConditionModel unet = fixture.contains("sdxl") ? sdxl : sd1;
        check(unet, fixture + "/io.safetensors", "expected_scale_" + scale,
                List.of(new SliderSpec(Reference.path(fixture + "/" + file), Double.parseDouble(scale))),
                fixture + "/" + file + " at " + scale);
    }

    @Test
    void sd1ConvSliderMatchesThePaperAtBothScales() throws IOException {
        paper("lora_sd1_noxattn_conv", "slider.safetensors", "+1.0");
        paper("lora_sd1_noxattn_conv", "slider.safetensors", "-2.5");
        paper("lora_sd1_noxattn_conv", "slider.pt", "-2.5");
    }

    @Test
    void sd1CrossAttentionSliderMatchesThePaperAtBothScales() throws IOException {
        paper("lora_sd1_xattn", "slider.safetensors", "+1.0");
        paper("lora_sd1_xattn", "slider.pt", "-2.5");
    }

    @Test
    void sdxlSliderMatchesThePaperAtBothScales() throws IOException {
        paper("lora_sdxl_xattn", "slider.safetensors", "-2.5");
        paper("lora_sdxl_xattn", "slider.pt", "+1.0");
    }

    @Test
    void twoSlidersComposeBySummingTheirDeltas() throws IOException {
        check(sd1, "lora_composition/io.safetensors", "expected", List.of(
                new SliderSpec(Reference.path("lora_sd1_noxattn_conv/slider.safetensors"), 1.5),
                new SliderSpec(Reference.path("lora_sd1_xattn/slider.safetensors"), -1.0)), "composition");
    }

    @Test
    void scaleZeroAndOutsideTheWindowAreBitIdenticalToNoSlider() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             SafeTensors io = SafeTensors.open(Reference.path("lora_sd1_noxattn_conv/io.safetensors"))) {
            float[] none = run(sd1, io, m).toFloatArray();
            Path file = Reference.path("lora_sd1_noxattn_conv/slider.safetensors");
            try (SliderSet set = SliderSet.attach(sd1, null, null, List.of(new SliderSpec(file, 0.0)), m)) {
                assertArrayEquals(none, run(sd1, io, m).toFloatArray());
                set.setScale(0, 1.0);
                set.beforeUnet(801);
                assertArrayEquals(none, run(sd1, io, m).toFloatArray());
            }
        }
    }

    @Test
    void kohyaLdmAndPeftRenamingsOfTheFixtureGiveTheNativeOutputs() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // SDXL: converted to kohya naming, i.e. LDM names, with our metadata
            Path xl = dir.resolve("sdxl_kohya.safetensors");
            SliderConverter.convert(Reference.path("lora_sdxl_xattn/slider.pt"), xl, sdxl, null, null,
                    new SliderConverter.Info("xattn test", "a test concept", "xattn", List.of("a photo"), 650,
                            List.of(-2.0, 0.0, 2.0), "converted in a test"));
            Map<String, String> meta = TensorFiles.metadata(xl);
            assertEquals("sdxl_base_v1-0", meta.get("ss_base_model_version"));
            assertEquals("stable-diffusion-xl-v1-base/lora", meta.get("modelspec.architecture"));
            assertEquals("networks.lora", meta.get("ss_network_module"));
            assertEquals("4", meta.get("ss_network_dim"));
            assertEquals("650", meta.get(SliderMetadata.START_NOISE));
            try (Slider s = Slider.load(xl, m)) {
                assertTrue(s.modules().stream().allMatch(x -> x.key().startsWith("lora_unet_input_blocks_")
                        || x.key().startsWith("lora_unet_middle_block_") || x.key().startsWith("lora_unet_output_blocks_")),
                        s.modules().get(0).key());
                assertEquals(650, s.startNoise().getAsInt());
            }
            check(sdxl, "lora_sdxl_xattn/io.safetensors", "expected_scale_-2.5",
                    List.of(new SliderSpec(xl, -2.5)), "SDXL kohya LDM naming at -2.5");
            LayerTable sd1Table = LayerTable.ofUnet(sd1);
            // SD 1.x: PEFT naming (unet.<path>.lora_A/B, alpha in lora_adapter_metadata)
            Path peft = rename(Reference.path("lora_sd1_noxattn_conv/slider.safetensors"), "peft.safetensors",
                    k -> "unet." + sd1Table.diffusersPath(sd1Table.get(k)), ".lora_A.weight", ".lora_B.weight", m,
                    Map.of("lora_adapter_metadata", "{\"unet.r\": 4, \"unet.lora_alpha\": 1.0}"));
            check(sd1, "lora_sd1_noxattn_conv/io.safetensors", "expected_scale_-2.5",
                    List.of(new SliderSpec(peft, -2.5)), "SD1 PEFT naming");
            // SD 1.x converted stays in diffusers layer names (what A1111 reads for SD 1.x)
            Path sd1Kohya = dir.resolve("sd1_kohya.safetensors");
            SliderConverter.convert(Reference.path("lora_sd1_noxattn_conv/slider.pt"), sd1Kohya, sd1, null, null,
                    SliderConverter.Info.none());
            assertEquals("sd_v1", TensorFiles.metadata(sd1Kohya).get("ss_base_model_version"));
            check(sd1, "lora_sd1_noxattn_conv/io.safetensors", "expected_scale_+1.0",
                    List.of(new SliderSpec(sd1Kohya, 1.0)), "SD1 converted");
        }
    }

    @Test
    void textEncoderLoraWorksInKohyaAndPeftNaming() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModel te = CLIPTextModel.load(Reference.path("clip_text_sd1"), m, Compute.cpu());
            NDArray ids;
            try (SafeTensors io = SafeTensors.open(Reference.path("clip_text_sd1/io.safetensors"))) {
                ids = io.load("input_ids", m);
            }
            NDArray base = te.forward(ids).lastHiddenState();
            Map<String, NDArray> kohya = new LinkedHashMap<>();
            Map<String, NDArray> peft = new LinkedHashMap<>();
            m.getEngine().setRandomSeed(11);
            te.namedModules().forEach((path, mod) -> {
                if (mod instanceof AdaptableLayer l && path.contains("self_attn")) {
                    NDArray down = TinyModels.randn(m, 4, l.weight().shape().get(1)).mul(0.2);
                    NDArray up = TinyModels.randn(m, l.weight().shape().get(0), 4).mul(0.2);
                    kohya.put("lora_te_" + LayerTable.flatten(path) + ".lora_down.weight", down);
                    kohya.put("lora_te_" + LayerTable.flatten(path) + ".lora_up.weight", up);
                    kohya.put("lora_te_" + LayerTable.flatten(path) + ".alpha", m.create(2f));
                    peft.put("text_encoder." + path + ".lora_A.weight", down);
                    peft.put("text_encoder." + path + ".lora_B.weight", up);
                }
            });
            Path k = dir.resolve("te_kohya.safetensors");
            Path p = dir.resolve("te_peft.safetensors");
            SafeTensorsWriter.writeArrays(k, kohya, Map.of());
            SafeTensorsWriter.writeArrays(p, peft, Map.of("lora_adapter_metadata", "{\"text_encoder.lora_alpha\": 2}"));
            float[][] outs = new float[2][];
            int i = 0;
            for (Path f : List.of(k, p)) {
                try (SliderSet set = SliderSet.attach(sd1, te, null, List.of(new SliderSpec(f, 1.5)), m)) {
                    NDArray out = te.forward(ids).lastHiddenState();
                    set.merge();
                    Reference.assertClose(te.forward(ids).lastHiddenState(), out, Reference.MODULE_TOL, "te merged");
                    set.restore();
                    outs[i++] = out.toFloatArray();
                }
            }
            assertArrayEquals(outs[0], outs[1]);
            assertTrue(Reference.relativeL2(m.create(outs[0]), base.flatten()) > 1e-3, "the LoRA changes the encoding");
            assertArrayEquals(base.toFloatArray(), te.forward(ids).lastHiddenState().toFloatArray(), "detached");
        }
    }

    @Test
    void anSd1SliderOnTheSdxlUnetSaysWhatItIsMadeFor() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SliderSet.attach(sdxl, null, null,
                    List.of(new SliderSpec(Reference.path("lora_sd1_xattn/slider.safetensors"), 1)), m));
            assertTrue(e.getMessage().contains("cross-attention dim 32"), e.getMessage());
            assertTrue(e.getMessage().contains("SDXL model"), e.getMessage());
        }
    }

    private Path rename(Path source, String name, Function<String, String> path, String down, String up, NDManager m,
                        Map<String, String> metadata) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        TensorFiles.loadAll(source, m).forEach((k, v) -> {
            String stem = k.substring("lora_unet_".length(), k.indexOf('.'));
            if (k.endsWith(".lora_down.weight")) {
                out.put(path.apply(stem) + down, v);
            } else if (k.endsWith(".lora_up.weight")) {
                out.put(path.apply(stem) + up, v);
            }
        });
        Path p = dir.resolve(name);
        SafeTensorsWriter.writeArrays(p, out, metadata);
        return p;
    }
}
