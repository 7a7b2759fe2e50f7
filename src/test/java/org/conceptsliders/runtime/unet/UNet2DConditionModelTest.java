package org.conceptsliders.runtime.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.testing.Reference;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNet2DConditionModelTest {

    /** Also checks that a forward inside a per-call sub-manager leaves nothing in the weights' manager. */
    @Test
    void sd1MatchesDiffusersAndFreesItsTemporaries() throws Exception {
        try (NDManager weights = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("unet_sd1/io.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sd1"), weights, Compute.cpu());
            int before = weights.getManagedArrays().size();
            try (NDManager call = weights.newSubManager()) {
                NDArray out = unet.forward(io.load("sample", call), io.load("timestep", call), io.load("encoder_hidden_states", call));
                assertEquals(call, out.getManager());
                double err = Reference.assertClose(out, io.load("expected", call), Reference.MODULE_TOL, "unet_sd1");
                System.out.println("unet_sd1 relative L2 error: " + err);
            }
            assertEquals(before, weights.getManagedArrays().size());
        }
    }

    @Test
    void sdxlMatchesDiffusers() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("unet_sdxl/io.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sdxl"), m, Compute.cpu());
            NDArray out = unet.forward(io.load("sample", m), io.load("timestep", m), io.load("encoder_hidden_states", m),
                    io.load("text_embeds", m), io.load("time_ids", m));
            double err = Reference.assertClose(out, io.load("expected", m), Reference.MODULE_TOL, "unet_sdxl");
            System.out.println("unet_sdxl relative L2 error: " + err);
        }
    }

    @Test
    void sizeNotMultipleOfDownsamplingIsRestoredAndTimestepBroadcast() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("unet_sd1/io.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sd1"), m, Compute.cpu());
            // Also: one timestep for the whole batch is broadcast.
            NDArray sample = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 4, 12, 10));
            NDArray out = unet.forward(sample, m.create(new float[] {10f}), io.load("encoder_hidden_states", m));
            assertArrayEquals(new long[] {2, 4, 12, 10}, out.getShape().getShape());
        }
    }

    /** Training (sliders) differentiates through the forward pass: nothing in it may detach. */
    @Test
    void gradientsReachTheWeights() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("unet_sd1/io.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sd1"), m, Compute.cpu());
            String[] names = {"conv_in.weight", "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                    "mid_block.resnets.1.norm2.weight", "up_blocks.3.attentions.2.proj_out.bias"};
            for (String name : names) {
                unet.namedParameters().get(name).value().setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray sample = io.load("sample", m).get("0:1, :, 0:8, 0:8");
                NDArray out = unet.forward(sample, m.create(new long[] {300}), io.load("encoder_hidden_states", m).get("0:1"));
                gc.backward(out.square().sum());
            }
            for (String name : names) {
                NDArray g = unet.namedParameters().get(name).value().getGradient();
                assertTrue(g.abs().sum().getFloat() > 0, "gradient of " + name);
            }
        }
    }

    @Test
    void sdxlRejectsMissingTimeIds() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("unet_sdxl/io.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sdxl"), m, Compute.cpu());
            assertThrows(IllegalArgumentException.class, () -> unet.forward(io.load("sample", m),
                    io.load("timestep", m).toType(DataType.FLOAT32, false), io.load("encoder_hidden_states", m)));
        }
    }
}
