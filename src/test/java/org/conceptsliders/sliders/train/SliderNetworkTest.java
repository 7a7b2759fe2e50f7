package org.conceptsliders.sliders.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.sliders.LayerTable;
import org.conceptsliders.testing.GradientCheck;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SliderNetworkTest {

    private static TreeSet<String> fixtureModules(String folder) throws Exception {
        try (SafeTensors st = SafeTensors.open(Reference.path(folder + "/slider.safetensors"))) {
            return st.keys().stream().filter(k -> k.endsWith(".lora_down.weight"))
                    .map(k -> k.substring(0, k.indexOf('.'))).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static TreeSet<String> ours(UNet2DConditionModel unet, TrainMethod m, boolean conv) {
        return SliderNetwork.layers(unet, m, conv).keySet().stream().map(p -> "lora_unet_" + LayerTable.flatten(p))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The layers each method selects are exactly those of the paper's LoRANetwork (its saved sliders). */
    @Test
    void methodsSelectThePapersModules() throws Exception {
        UNet2DConditionModel unet = new UNet2DConditionModel(
                org.conceptsliders.runtime.unet.UNetConfig.read(Reference.path("unet_sd1/config.json")));
        assertEquals(fixtureModules("lora_sd1_noxattn_conv"), ours(unet, TrainMethod.NOXATTN, true));
        assertEquals(fixtureModules("lora_sd1_xattn"), ours(unet, TrainMethod.XATTN, false));
        assertEquals(ours(unet, TrainMethod.NOXATTN, true), ours(unet, TrainMethod.INNOXATTN, true));
        assertTrue(ours(unet, TrainMethod.XATTN_STRICT, false).stream().allMatch(
                n -> n.contains("attn2") && (n.endsWith("to_q") || n.endsWith("to_k") || n.endsWith("to_v"))));
        assertTrue(ours(unet, TrainMethod.SELFATTN, true).stream().allMatch(n -> n.contains("attn1")));
        assertTrue(ours(unet, TrainMethod.FULL, true).containsAll(ours(unet, TrainMethod.XATTN, true)));
    }

    /** Autograd through the UNet into the slider weights equals central differences (float64). */
    @Test
    void sliderGradientMatchesFiniteDifferences() throws Exception {
        Compute f64 = new Compute(ai.djl.Device.cpu(), DataType.FLOAT64);
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sd1"), m, f64);
            try (SliderNetwork net = SliderNetwork.attach(unet, TrainMethod.NOXATTN, true, 2, 1f, new TrainRandom(3))) {
                TrainRandom rng = new TrainRandom(5);
                List<NDArray> leaves = new ArrayList<>();
                Map<String, Parameter> params = net.namedParameters();
                for (String name : List.of(
                        "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight",
                        "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight",
                        "lora_unet_mid_block_resnets_0_conv1.lora_down.weight",
                        "lora_unet_mid_block_resnets_0_conv1.lora_up.weight")) {
                    Parameter p = params.get(name);
                    NDArray v = rng.randn(m, p.shape()).mul(0.3f).toType(DataType.FLOAT64, false);
                    p.set(v);
                    leaves.add(v);
                }
                // the other modules in float64 too, so every term of the forward pass is float64
                params.forEach((n, p) -> {
                    if (p.value().getDataType() != DataType.FLOAT64) {
                        p.set(p.value().toType(DataType.FLOAT64, false));
                    }
                });
                int ctx = unet.config().crossAttentionDim(0);
                NDArray x = rng.randn(m, new Shape(1, 4, 8, 8)).toType(DataType.FLOAT64, false);
                NDArray c = rng.randn(m, new Shape(1, 77, ctx)).toType(DataType.FLOAT64, false);
                NDArray t = m.create(new double[] {421});
                NDArray target = rng.randn(m, new Shape(1, 4, 8, 8)).toType(DataType.FLOAT64, false);
                GradientCheck.Result r = GradientCheck.check(leaves,
                        () -> TextSliderTrainer.mse(unet.forward(x, t, c), target), 3, 11);
                System.out.println("slider gradient check: rel err " + r.relativeError() + " over " + r.coordinates());
                assertTrue(r.relativeError() < 1e-2, "relative error " + r.relativeError());
            }
        }
    }
}
