package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SliderSetTest {
    @TempDir
    Path dir;

    private static Map<String, NDArray> kohya(NDManager m, String name, long out, long in, int k, int rank, Float alpha) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("lora_unet_" + name + ".lora_down.weight", k == 0 ? TinyModels.randn(m, rank, in) : TinyModels.randn(m, rank, in, k, k));
        t.put("lora_unet_" + name + ".lora_up.weight", k == 0 ? TinyModels.randn(m, out, rank) : TinyModels.randn(m, out, rank, 1, 1));
        if (alpha != null) {
            t.put("lora_unet_" + name + ".alpha", m.create(new float[]{alpha}));
        }
        return t;
    }

    private Path sliderFile(NDManager m, String file) throws IOException {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.putAll(kohya(m, "down_blocks_0_downsamplers_0_conv", 8, 8, 3, 2, 1f));
        t.putAll(kohya(m, "down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k", 8, 6, 0, 2, null));
        t.putAll(kohya(m, "not_a_layer", 8, 8, 0, 2, 1f));
        Path p = dir.resolve(file);
        TinyModels.write(p, t, Map.of());
        return p;
    }

    @Test
    void adapterAddsScaledLowRankTermAndMergedPathAgrees() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 1);
            Conv2d conv = (Conv2d) unet.namedModules().get("down_blocks.0.downsamplers.0.conv");
            Linear toK = (Linear) unet.namedModules().get("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k");
            NDArray x = TinyModels.randn(m, 2, 8, 6, 6);
            NDArray text = TinyModels.randn(m, 2, 5, 6);
            NDArray base = conv.forward(x);
            NDArray baseK = toK.forward(text);
            Path file = sliderFile(m, "s.safetensors");
            try (SliderSet set = SliderSet.attach(unet, null, null, List.of(new SliderSpec(file, -2.5)), m)) {
                Slider s = set.entries().get(0).slider();
                assertEquals(List.of("lora_unet_not_a_layer"), set.entries().get(0).unmatchedKeys());
                LoraModule cm = s.modules().get(0);
                // delta by hand: conv(x, up . down) with the layer's stride and padding, * scale * alpha / rank
                NDArray dW = cm.up().reshape(8, 2).matMul(cm.down().reshape(2, -1)).reshape(8, 8, 3, 3).mul(-2.5 * 1 / 2);
                NDArray expected = base.add(Conv2d.conv(x, dW, null, 2, 1));
                NDArray unmerged = conv.forward(x);
                assertTrue(Reference.relativeL2(unmerged, expected) < 1e-5);
                // no alpha in the file: alpha = rank
                LoraModule km = s.modules().get(1);
                NDArray dK = km.up().matMul(km.down()).mul(-2.5);
                assertTrue(Reference.relativeL2(toK.forward(text), baseK.add(text.matMul(dK.transpose()))) < 1e-5);

                set.merge();
                assertEquals(1, conv.adapters().size());
                assertTrue(Reference.relativeL2(conv.forward(x), unmerged) < 1e-5, "merged == unmerged");
                set.restore();
                assertArrayEquals(unmerged.toFloatArray(), conv.forward(x).toFloatArray());
            }
            assertTrue(conv.adapters().isEmpty(), "close removes the adapters");
            assertArrayEquals(base.toFloatArray(), conv.forward(x).toFloatArray());
        }
    }

    @Test
    void scaleZeroIsBitIdenticalAndWindowSwitchesOff() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 2);
            Conv2d conv = (Conv2d) unet.namedModules().get("down_blocks.0.downsamplers.0.conv");
            NDArray x = TinyModels.randn(m, 1, 8, 6, 6);
            float[] base = conv.forward(x).toFloatArray();
            Path file = sliderFile(m, "s.safetensors");
            try (SliderSet set = SliderSet.attach(unet, null, null,
                    List.of(new SliderSpec(file, 0.0), new SliderSpec(file, 1.5, OptionalInt.of(600), OptionalInt.of(200))), m)) {
                set.setScale(1, 0);
                assertArrayEquals(base, conv.forward(x).toFloatArray());
                set.setScale(1, 1.5);
                assertEquals(600, set.entries().get(1).startNoise());
                assertEquals(800, set.entries().get(0).startNoise(), "SD 1.x default");
                set.beforeUnet(900);
                assertArrayEquals(base, conv.forward(x).toFloatArray(), "before start_noise");
                set.beforeUnet(600);
                float[] on = conv.forward(x).toFloatArray();
                assertTrue(Reference.relativeL2(toD(on), toD(base)) > 1e-3);
                set.beforeUnet(200);
                assertArrayEquals(base, conv.forward(x).toFloatArray(), "at/after stop_noise");
                set.merge();
                assertArrayEquals(base, conv.forward(x).toFloatArray(), "merged while off");
                set.beforeUnet(400);
                assertTrue(Reference.relativeL2(toD(conv.forward(x).toFloatArray()), toD(on)) < 1e-5, "re-merged in window");
            }
        }
    }

    @Test
    void thousandMergeRestoreCyclesLeaveTheExactWeights() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 3);
            AdaptableLayer conv = (AdaptableLayer) unet.namedModules().get("down_blocks.0.downsamplers.0.conv");
            float[] before = conv.weight().value().toFloatArray();
            NDArray original = conv.weight().value();
            Path file = sliderFile(m, "s.safetensors");
            int arrays = m.getManagedArrays().size();
            try (SliderSet set = SliderSet.attach(unet, null, null, List.of(new SliderSpec(file, 0.7)), m)) {
                assertTrue(m.getManagedArrays().size() > arrays, "the slider's tensors are under the parent");
                for (int i = 0; i < 1000; i++) {
                    set.setScale(0, 0.1 * (i % 7) - 0.3);
                    set.merge();
                    set.restore();
                }
                assertSame(original, conv.weight().value());
                assertArrayEquals(before, conv.weight().value().toFloatArray());
            }
            assertEquals(arrays, m.getManagedArrays().size(), "closing the set frees exactly what it loaded");
        }
    }

    @Test
    void ldmNamesResolveThroughTheBlockStructure() {
        Module unet = TinyModels.unet();
        LayerTable t = LayerTable.ofUnet(unet);
        Map<String, String> expected = Map.of(
                "input_blocks_1_0_in_layers_2", "down_blocks.0.resnets.0.conv1",
                "input_blocks_1_1_transformer_blocks_0_attn2_to_k", "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k",
                "input_blocks_2_0_op", "down_blocks.0.downsamplers.0.conv",
                "input_blocks_3_0_emb_layers_1", "down_blocks.1.resnets.0.time_emb_proj",
                "middle_block_2_out_layers_3", "mid_block.resnets.1.conv2",
                "output_blocks_1_1_conv", "up_blocks.0.upsamplers.0.conv",
                "output_blocks_3_0_in_layers_2", "up_blocks.1.resnets.1.conv1",
                "input_blocks_0_0", "conv_in",
                "out_2", "conv_out");
        expected.forEach((ldm, path) -> {
            AdaptableLayer l = t.get(ldm);
            assertNotNull(l, ldm);
            assertEquals(path, t.diffusersPath(l));
            assertSame(l, t.get(LayerTable.flatten(path)));
        });
    }

    @Test
    void lohaAndLokrAreRefusedByName() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            for (String algo : new String[]{"hada_w1_a", "lokr_w1"}) {
                Path p = dir.resolve(algo + ".safetensors");
                TinyModels.write(p, Map.of("lora_unet_conv_in." + algo, TinyModels.randn(m, 2, 2)), Map.of());
                IOException e = assertThrows(IOException.class, () -> Slider.load(p, m));
                assertTrue(e.getMessage().contains(algo.startsWith("hada") ? "LoHa" : "LoKr"), e.getMessage());
            }
        }
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
