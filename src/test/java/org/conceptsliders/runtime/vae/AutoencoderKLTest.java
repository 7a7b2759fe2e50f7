package org.conceptsliders.runtime.vae;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.ConfigException;
import org.conceptsliders.runtime.io.TensorInfo;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.testing.Reference;
import org.conceptsliders.testing.SafeTensorsCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoencoderKLTest {

    @Test
    void encodeMatchesDiffusers() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("vae/io.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(Reference.path("vae"), m, Compute.cpu());
            LatentDist dist = vae.encode(io.load("image", m));
            double errMean = Reference.assertClose(dist.mean(), io.load("latent_mean", m), Reference.MODULE_TOL, "vae latent_mean");
            double errStd = Reference.assertClose(dist.std(), io.load("latent_std", m), Reference.MODULE_TOL, "vae latent_std");
            System.out.println("vae latent_mean relative L2 error: " + errMean + ", latent_std: " + errStd);
            assertEquals(0.18215f, vae.scalingFactor());
        }
    }

    /** Also checks that a decode inside a per-call sub-manager leaves nothing in the weights' manager. */
    @Test
    void decodeMatchesDiffusersAndFreesItsTemporaries() throws Exception {
        try (NDManager weights = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("vae/io.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(Reference.path("vae"), weights, Compute.cpu());
            int before = weights.getManagedArrays().size();
            try (NDManager call = weights.newSubManager()) {
                double err = Reference.assertClose(vae.decode(io.load("latent", call)), io.load("decoded", call),
                        Reference.MODULE_TOL, "vae decoded");
                System.out.println("vae decoded relative L2 error: " + err);
            }
            assertEquals(before, weights.getManagedArrays().size());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "down_block_types | [\"DownEncoderBlock2D\", \"AttnDownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\"]",
            "up_block_types | [\"UpDecoderBlock2D\"]",
            "act_fn | \"gelu\"",
            "shift_factor | 0.1159",
            "use_quant_conv | false",
            "mid_block_add_attention | false",
    })
    void unsupportedConfigValueNamesItsKey(String key, String value, @TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(Reference.path("vae/config.json").toFile());
        root.set(key, json.readTree(value));
        Path file = dir.resolve("config.json");
        json.writeValue(file.toFile(), root);
        ConfigException e = assertThrows(ConfigException.class, () -> AutoencoderKLConfig.read(file));
        assertEquals(key, e.key(), e.getMessage());
    }

    @Test
    void legacyAttentionNamesLoadTheSameWeights(@TempDir Path dir) throws Exception {
        Path ref = Reference.path("vae");
        Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
        int renamed = SafeTensorsCopy.copy(ref.resolve("diffusion_pytorch_model.safetensors"), dir.resolve("diffusion_pytorch_model.safetensors"),
                k -> k.replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.")
                        .replace(".to_out.0.", ".proj_attn."), TensorInfo::shape);
        assertTrue(renamed >= 16, "the fixture's mid-block attentions were renamed");
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("vae/io.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(dir, m, Compute.cpu());
            Reference.assertClose(vae.decode(io.load("latent", m)), io.load("decoded", m), Reference.MODULE_TOL, "legacy-named vae");
        }
    }

    @Test
    void legacyNamesMapToCurrentOnes() {
        assertEquals("encoder.mid_block.attentions.0.to_q.weight", AutoencoderKL.currentAttentionName("encoder.mid_block.attentions.0.query.weight"));
        assertEquals("decoder.mid_block.attentions.0.to_out.0.bias", AutoencoderKL.currentAttentionName("decoder.mid_block.attentions.0.proj_attn.bias"));
        assertEquals("decoder.mid_block.attentions.0.group_norm.weight", AutoencoderKL.currentAttentionName("decoder.mid_block.attentions.0.group_norm.weight"));
    }
}
