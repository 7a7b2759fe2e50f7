package org.conceptsliders.runtime.unet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNet2DConditionModelTest {
    /** The fixtures' models, loaded once; every test runs its forward passes in a sub-manager. */
    private static NDManager weights;
    private static UNet2DConditionModel sd1;
    private static UNet2DConditionModel sdxl;
    private static SafeTensors sd1Io;
    private static SafeTensors sdxlIo;

    @BeforeAll
    static void load() throws IOException {
        weights = NDManager.newBaseManager(Compute.cpu().device());
        sd1 = UNet2DConditionModel.load(Reference.path("unet_sd1"), weights, Compute.cpu());
        sdxl = UNet2DConditionModel.load(Reference.path("unet_sdxl"), weights, Compute.cpu());
        sd1Io = SafeTensors.open(Reference.path("unet_sd1/io.safetensors"));
        sdxlIo = SafeTensors.open(Reference.path("unet_sdxl/io.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        sd1Io.close();
        sdxlIo.close();
        weights.close();
    }

    /** Also checks that a forward inside a per-call sub-manager leaves nothing in the weights' manager. */
    @Test
    void sd1MatchesDiffusersAndFreesItsTemporaries() throws Exception {
        int before = weights.getManagedArrays().size();
        try (NDManager call = weights.newSubManager()) {
            NDArray out = sd1.forward(sd1Io.load("sample", call), sd1Io.load("timestep", call), sd1Io.load("encoder_hidden_states", call));
            assertEquals(call, out.getManager());
            double err = Reference.assertClose(out, sd1Io.load("expected", call), Reference.MODULE_TOL, "unet_sd1");
            System.out.println("unet_sd1 relative L2 error: " + err);
        }
        assertEquals(before, weights.getManagedArrays().size());
    }

    @Test
    void sdxlMatchesDiffusers() throws Exception {
        try (NDManager m = weights.newSubManager()) {
            NDArray out = sdxl.forward(sdxlIo.load("sample", m), sdxlIo.load("timestep", m), sdxlIo.load("encoder_hidden_states", m),
                    sdxlIo.load("text_embeds", m), sdxlIo.load("time_ids", m));
            double err = Reference.assertClose(out, sdxlIo.load("expected", m), Reference.MODULE_TOL, "unet_sdxl");
            System.out.println("unet_sdxl relative L2 error: " + err);
        }
    }

    @Test
    void sizeNotMultipleOfDownsamplingIsRestoredAndTimestepBroadcast() throws Exception {
        try (NDManager m = weights.newSubManager()) {
            // 6x10 is not a multiple of the 3 upsamplers' factor 8; one timestep serves the batch of 2.
            NDArray sample = m.randomNormal(new Shape(2, 4, 6, 10));
            NDArray out = sd1.forward(sample, m.create(new float[] {10f}), sd1Io.load("encoder_hidden_states", m));
            assertArrayEquals(new long[] {2, 4, 6, 10}, out.getShape().getShape());
        }
    }

    @Test
    void sdxlRejectsMissingTimeIds() throws Exception {
        try (NDManager m = weights.newSubManager()) {
            NDArray sample = sdxlIo.load("sample", m);
            NDArray t = sdxlIo.load("timestep", m).toType(DataType.FLOAT32, false);
            NDArray context = sdxlIo.load("encoder_hidden_states", m);
            assertThrows(IllegalArgumentException.class, () -> sdxl.forward(sample, t, context));
        }
    }

    /** Training (sliders) differentiates through the forward pass: nothing in it may detach. */
    @Test
    void gradientsReachTheWeights() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device())) {
            // Its own copy: gradients must not stay attached to the shared weights.
            UNet2DConditionModel unet = UNet2DConditionModel.load(Reference.path("unet_sd1"), m, Compute.cpu());
            String[] names = {"conv_in.weight", "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                    "mid_block.resnets.1.norm2.weight", "up_blocks.3.attentions.2.proj_out.bias"};
            for (String name : names) {
                unet.namedParameters().get(name).value().setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray sample = sd1Io.load("sample", m).get("0:1, :, 0:8, 0:8");
                NDArray out = unet.forward(sample, m.create(new long[] {300}), sd1Io.load("encoder_hidden_states", m).get("0:1"));
                gc.backward(out.square().sum());
            }
            for (String name : names) {
                NDArray g = unet.namedParameters().get(name).value().getGradient();
                assertTrue(g.abs().sum().getFloat() > 0, "gradient of " + name);
            }
        }
    }
}
