package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.testing.Reference;
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

class SliderFormatsTest {
    private static final String CONV = "down_blocks.0.downsamplers.0.conv";
    private static final String TO_K = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k";

    @TempDir
    Path dir;

    /** conv (3x3 stride 2) and to_k modules: name -> {down, up}. */
    private static Map<String, NDArray[]> factors(NDManager m) {
        Map<String, NDArray[]> f = new LinkedHashMap<>();
        f.put(CONV, new NDArray[]{TinyModels.randn(m, 2, 8, 3, 3), TinyModels.randn(m, 8, 2, 1, 1)});
        f.put(TO_K, new NDArray[]{TinyModels.randn(m, 2, 6), TinyModels.randn(m, 8, 2)});
        return f;
    }

    private Path write(String name, Map<String, NDArray[]> f, Function<String, String> key, String down, String up,
                       String alphaKey, Map<String, String> metadata, NDManager m) throws IOException {
        Map<String, NDArray> t = new LinkedHashMap<>();
        f.forEach((path, ab) -> {
            t.put(key.apply(path) + down, ab[0]);
            t.put(key.apply(path) + up, ab[1]);
            if (alphaKey != null) {
                t.put(key.apply(path) + alphaKey, m.create(1.0f));
            }
        });
        Path p = dir.resolve(name);
        TinyModels.write(p, t, metadata);
        return p;
    }

    private static float[][] outputs(Module unet, Path file, double scale, NDManager m) throws IOException {
        NDArray x = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(1, 8, 6, 6), DataType.FLOAT32);
        NDArray text = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(1, 3, 6), DataType.FLOAT32);
        m.getEngine().setRandomSeed(7);
        x = m.randomNormal(0, 1, x.getShape(), DataType.FLOAT32);
        text = m.randomNormal(0, 1, text.getShape(), DataType.FLOAT32);
        try (SliderSet set = SliderSet.attach(unet, null, null, List.of(new SliderSpec(file, scale)), m)) {
            assertEquals(List.of(), set.entries().get(0).unmatchedKeys(), file.toString());
            return new float[][]{((Conv2d) unet.namedModules().get(CONV)).forward(x).toFloatArray(),
                    ((Linear) unet.namedModules().get(TO_K)).forward(text).toFloatArray()};
        }
    }

    @Test
    void kohyaLdmPeftAndDiffusersNamingsGiveTheSameOutputs() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 4);
            Map<String, NDArray[]> f = factors(m);
            Path kohya = write("kohya.safetensors", f, p -> "lora_unet_" + LayerTable.flatten(p),
                    ".lora_down.weight", ".lora_up.weight", ".alpha", Map.of(), m);
            Map<String, String> ldm = Map.of(CONV, "input_blocks_2_0_op",
                    TO_K, "input_blocks_1_1_transformer_blocks_0_attn2_to_k");
            Path kohyaLdm = write("ldm.safetensors", f, p -> "lora_unet_" + ldm.get(p),
                    ".lora_down.weight", ".lora_up.weight", ".alpha", Map.of(), m);
            Path peft = write("peft.safetensors", f, p -> "unet." + p, ".lora_A.weight", ".lora_B.weight", null,
                    Map.of("lora_adapter_metadata", "{\"unet.r\": 2, \"unet.lora_alpha\": 1.0}"), m);
            Path diffusers = write("diffusers.safetensors", f, p -> p, ".lora.down.weight", ".lora.up.weight", ".alpha",
                    Map.of(), m);
            float[][] ref = outputs(unet, kohya, -1.5, m);
            for (Path p : List.of(kohyaLdm, peft, diffusers)) {
                float[][] out = outputs(unet, p, -1.5, m);
                assertArrayEquals(ref[0], out[0], p.toString());
                assertArrayEquals(ref[1], out[1], p.toString());
            }
            try (Slider s = Slider.load(peft, m)) {
                assertEquals(Slider.Format.PEFT, s.format());
                assertEquals(2, s.rank());
                assertEquals(1.0f, s.alpha());
            }
        }
    }

    @Test
    void halfPrecisionFilesLoadAsTheComputeType() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 5);
            Map<String, NDArray[]> f = factors(m);
            Map<String, NDArray> t = new LinkedHashMap<>();
            f.forEach((k, v) -> {
                t.put("lora_unet_" + LayerTable.flatten(k) + ".lora_down.weight", v[0].toType(DataType.FLOAT16, false));
                t.put("lora_unet_" + LayerTable.flatten(k) + ".lora_up.weight", v[1]);
            });
            Path fp16 = dir.resolve("fp16.safetensors");
            TinyModels.write(fp16, t, Map.of());
            Path bf16 = dir.resolve("bf16.safetensors");
            TinyModels.write(bf16, t, Map.of(), true);
            for (Path p : List.of(fp16, bf16)) {
                try (Slider s = Slider.load(p, m)) {
                    assertEquals(DataType.FLOAT32, s.modules().get(0).down().getDataType());
                    assertEquals(DataType.FLOAT32, s.modules().get(0).up().getDataType());
                }
                outputs(unet, p, 1.0, m);
            }
        }
    }

    @Test
    void tuckerCoreAndDoraUnmergedAgreeWithMergedWeights() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 6);
            Conv2d conv = (Conv2d) unet.namedModules().get(CONV);
            Linear toK = (Linear) unet.namedModules().get(TO_K);
            Map<String, NDArray> t = new LinkedHashMap<>();
            String c = "lora_unet_" + LayerTable.flatten(CONV);
            t.put(c + ".lora_down.weight", TinyModels.randn(m, 3, 8, 1, 1));
            t.put(c + ".lora_mid.weight", TinyModels.randn(m, 3, 3, 3, 3));
            t.put(c + ".lora_up.weight", TinyModels.randn(m, 8, 3, 1, 1));
            t.put(c + ".alpha", m.create(2.0f));
            t.put(c + ".dora_scale", TinyModels.randn(m, 8, 1, 1, 1).abs());
            String k = "lora_unet_" + LayerTable.flatten(TO_K);
            NDArray down = TinyModels.randn(m, 2, 6);
            NDArray up = TinyModels.randn(m, 8, 2);
            NDArray dora = TinyModels.randn(m, 1, 6).abs();
            t.put(k + ".lora_down.weight", down);
            t.put(k + ".lora_up.weight", up);
            t.put(k + ".dora_scale", dora);
            Path p = dir.resolve("lycoris.safetensors");
            TinyModels.write(p, t, Map.of());
            NDArray x = TinyModels.randn(m, 2, 8, 6, 6);
            NDArray text = TinyModels.randn(m, 2, 3, 6);
            // DoRA on to_k by hand: dora_scale [1, in] normalises each input column of W + dW
            NDArray w = toK.weight().value();
            NDArray updated = w.add(up.matMul(down));
            NDArray wPrime = updated.mul(dora).div(updated.square().sum(new int[]{0}, true).sqrt());
            NDArray expectedK = text.matMul(w.add(wPrime.sub(w).mul(0.6)).transpose());
            try (SliderSet set = SliderSet.attach(unet, null, null, List.of(new SliderSpec(p, 0.6)), m)) {
                assertEquals(Slider.Format.LYCORIS, set.entries().get(0).slider().format());
                NDArray k1 = toK.forward(text);
                NDArray c1 = conv.forward(x);
                assertTrue(Reference.relativeL2(k1, expectedK.add(toK.forward(text).sub(k1))) < 1e-5);
                set.merge();
                assertTrue(Reference.relativeL2(conv.forward(x), c1) < 1e-5, "Tucker+DoRA conv merged");
                assertTrue(Reference.relativeL2(toK.forward(text), k1) < 1e-5, "DoRA linear merged");
                set.restore();
                assertTrue(Reference.relativeL2(toK.forward(text), expectedK) < 1e-5, "DoRA linear by hand");
            }
        }
    }

    @Test
    void textEncoderKeysAdaptTheEncodersRegardlessOfTheWindow() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 8);
            Module[] te = new Module[2];
            Linear[] q = new Linear[2];
            for (int i = 0; i < 2; i++) {
                TinyModels.Group root = new TinyModels.Group();
                TinyModels.Group layer = root.add("text_model", new TinyModels.Group()).add("encoder", new TinyModels.Group())
                        .add("layers", new ModuleList<TinyModels.Group>()).add(new TinyModels.Group());
                q[i] = layer.add("self_attn", new TinyModels.Group()).add("q_proj", new Linear(6, 6, true));
                TinyModels.randomize(root, m, 9 + i);
                te[i] = root;
            }
            Map<String, NDArray> t = new LinkedHashMap<>();
            for (String prefix : new String[]{"lora_te1_", "lora_te2_"}) {
                t.put(prefix + "text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight", TinyModels.randn(m, 2, 6));
                t.put(prefix + "text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight", TinyModels.randn(m, 6, 2));
            }
            t.put("lora_unet_" + LayerTable.flatten(CONV) + ".lora_down.weight", TinyModels.randn(m, 2, 8, 3, 3));
            t.put("lora_unet_" + LayerTable.flatten(CONV) + ".lora_up.weight", TinyModels.randn(m, 8, 2, 1, 1));
            Path p = dir.resolve("te.safetensors");
            TinyModels.write(p, t, Map.of());
            NDArray x = TinyModels.randn(m, 1, 4, 6);
            float[] base0 = q[0].forward(x).toFloatArray();
            float[] base1 = q[1].forward(x).toFloatArray();
            try (SliderSet set = SliderSet.attach(unet, te[0], te[1], List.of(new SliderSpec(p, 2.0)), m)) {
                set.beforeUnet(999);
                assertTrue(set.entries().get(0).unmatchedKeys().isEmpty());
                assertTrue(Reference.relativeL2(toD(q[0].forward(x).toFloatArray()), toD(base0)) > 1e-3);
                assertTrue(Reference.relativeL2(toD(q[1].forward(x).toFloatArray()), toD(base1)) > 1e-3);
                assertTrue(set.entries().get(0).slider().madeFor().contains("SDXL"));
            }
            try (SliderSet set = SliderSet.attach(unet, te[0], null, List.of(new SliderSpec(p, 2.0)), m)) {
                assertEquals(List.of("lora_te2_text_model_encoder_layers_0_self_attn_q_proj"),
                        set.entries().get(0).unmatchedKeys(), "no second encoder: reported, not dropped");
            }
        }
    }

    @Test
    void aLoraForAnotherModelSaysWhichModelItSeemsMadeFor() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Module unet = TinyModels.unet();
            TinyModels.randomize(unet, m, 10);
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("lora_unet_" + LayerTable.flatten(TO_K) + ".lora_down.weight", TinyModels.randn(m, 2, 768));
            t.put("lora_unet_" + LayerTable.flatten(TO_K) + ".lora_up.weight", TinyModels.randn(m, 8, 2));
            Path p = dir.resolve("sd1.safetensors");
            TinyModels.write(p, t, Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SliderSet.attach(unet, null, null, List.of(new SliderSpec(p, 1)), m));
            assertTrue(e.getMessage().contains("cross-attention dim 768 (SD1)"), e.getMessage());
            assertTrue(unet.namedModules().values().stream()
                    .noneMatch(l -> l instanceof org.conceptsliders.runtime.nn.AdaptableLayer a && !a.adapters().isEmpty()),
                    "a misfit leaves the model untouched");
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
