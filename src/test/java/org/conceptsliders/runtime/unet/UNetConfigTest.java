package org.conceptsliders.runtime.unet;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.ConfigException;
import org.conceptsliders.testing.Reference;
import org.conceptsliders.testing.SafeTensorsCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sd1AttentionHeadDimIsTheHeadCount() throws IOException {
        UNetConfig c = UNetConfig.read(Reference.path("unet_sd1/config.json"));
        for (int i = 0; i < c.blockCount(); i++) {
            assertEquals(8, c.attentionHeads(i));
        }
        assertEquals(128, c.timeEmbedDim());
        assertEquals(false, c.textTimeEmbedding());
    }

    @Test
    void sdxlPerBlockValues() throws IOException {
        UNetConfig c = UNetConfig.read(Reference.path("unet_sdxl/config.json"));
        assertEquals(4, c.attentionHeads(2));
        assertEquals(2, c.transformerLayersPerBlock(1));
        assertTrue(c.textTimeEmbedding());
        assertEquals(8, c.additionTimeEmbedDim());
        assertEquals(80, c.projectionClassEmbeddingsInputDim());
    }

    @Test
    void numAttentionHeadsWinsOverAttentionHeadDim(@TempDir Path dir) throws IOException {
        UNetConfig c = UNetConfig.read(writeConfig(dir, "num_attention_heads", "[2, 4, 4, 4]"));
        assertEquals(2, c.attentionHeads(0));
        assertEquals(4, c.attentionHeads(3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "class_embed_type | \"timestep\"",
            "num_class_embeds | 10",
            "time_cond_proj_dim | 256",
            "encoder_hid_dim | 32",
            "encoder_hid_dim_type | \"text_proj\"",
            "addition_embed_type | \"text\"",
            "time_embedding_type | \"fourier\"",
            "time_embedding_act_fn | \"silu\"",
            "timestep_post_act | \"silu\"",
            "resnet_time_scale_shift | \"scale_shift\"",
            "mid_block_type | \"UNetMidBlock2DSimpleCrossAttn\"",
            "mid_block_type | null",
            "norm_num_groups | null",
            "dual_cross_attention | true",
            "attention_type | \"gated\"",
            "act_fn | \"gelu\"",
            "conv_in_kernel | 4",
            "attention_head_dim | 5",
            "transformer_layers_per_block | [1, 1]",
            "only_cross_attention | [true]",
            "down_block_types | [\"CrossAttnDownBlock2D\", \"AttnDownBlock2D\", \"CrossAttnDownBlock2D\", \"DownBlock2D\"]",
            "up_block_types | [\"UpBlock2D\", \"CrossAttnUpBlock2D\"]",
    })
    void unsupportedValueNamesItsKey(String key, String value, @TempDir Path dir) throws IOException {
        Path file = writeConfig(dir, key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> UNetConfig.read(file));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed(@TempDir Path dir) throws IOException {
        String dropped = "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight";
        prepareUNet(dir, k -> k.equals(dropped) ? null : k, false);
        IOException e = assertThrows(IOException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("missing tensor '" + dropped + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("(64, 32)"), e.getMessage());
    }

    @Test
    void wrongShapeNamesKeyAndBothShapes(@TempDir Path dir) throws IOException {
        prepareUNet(dir, k -> k, true);
        IOException e = assertThrows(IOException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("'conv_in.bias' has shape (2, 16), expected (32)"), e.getMessage());
    }

    private static void load(Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device())) {
            UNet2DConditionModel.load(dir, m, Compute.cpu());
        }
    }

    private static void prepareUNet(Path dir, java.util.function.UnaryOperator<String> rename, boolean reshapeConvInBias) throws IOException {
        Path ref = Reference.path("unet_sd1");
        Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
        SafeTensorsCopy.copy(ref.resolve("diffusion_pytorch_model.safetensors"), dir.resolve("diffusion_pytorch_model.safetensors"),
                rename, t -> reshapeConvInBias && t.name().equals("conv_in.bias") ? new long[] {2, 16} : t.shape());
    }

    /** The sd1 fixture's config with {@code key} set to the JSON {@code value}. */
    private static Path writeConfig(Path dir, String key, String value) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(Reference.path("unet_sd1/config.json").toFile());
        JsonNode v = JSON.readTree(value);
        root.set(key, v);
        Path file = dir.resolve("config.json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }
}
