package org.conceptsliders.runtime.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.TensorInfo;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void decodeMatchesDiffusers() throws Exception {
        try (NDManager m = NDManager.newBaseManager(Compute.cpu().device());
             SafeTensors io = SafeTensors.open(Reference.path("vae/io.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(Reference.path("vae"), m, Compute.cpu());
            double err = Reference.assertClose(vae.decode(io.load("latent", m)), io.load("decoded", m), Reference.MODULE_TOL, "vae decoded");
            System.out.println("vae decoded relative L2 error: " + err);
        }
    }

    @Test
    void legacyAttentionNamesLoadTheSameWeights(@TempDir Path dir) throws Exception {
        Path ref = Reference.path("vae");
        Files.copy(ref.resolve("config.json"), dir.resolve("config.json"));
        int renamed = copyRenamed(ref.resolve("diffusion_pytorch_model.safetensors"), dir.resolve("diffusion_pytorch_model.safetensors"),
                k -> k.replace(".to_q.", ".query.").replace(".to_k.", ".key.").replace(".to_v.", ".value.")
                        .replace(".to_out.0.", ".proj_attn."));
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

    /**
     * Writes a copy of a safetensors file with renamed tensors (the project has no writer yet):
     * 8-byte little-endian header length, JSON header, then the raw data in the same order.
     * Returns how many names changed.
     */
    private static int copyRenamed(Path from, Path to, UnaryOperator<String> rename) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (SafeTensors src = SafeTensors.open(from)) {
            ObjectNode header = json.createObjectNode();
            Map<String, ByteBuffer> data = new LinkedHashMap<>();
            long offset = 0;
            int changed = 0;
            for (String key : src.keys()) {
                TensorInfo t = src.info(key);
                String name = rename.apply(key);
                changed += name.equals(key) ? 0 : 1;
                ObjectNode e = header.putObject(name);
                e.put("dtype", t.dtype().name());
                e.putPOJO("shape", t.shape());
                e.putArray("data_offsets").add(offset).add(offset + t.byteLength());
                offset += t.byteLength();
                data.put(name, src.bytes(key));
            }
            byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
            int padded = (h.length + 7) / 8 * 8;
            byte[] hp = new byte[padded];
            java.util.Arrays.fill(hp, (byte) ' ');
            System.arraycopy(h, 0, hp, 0, h.length);
            try (OutputStream out = Files.newOutputStream(to); WritableByteChannel ch = Channels.newChannel(out)) {
                ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip());
                ch.write(ByteBuffer.wrap(hp));
                for (ByteBuffer b : data.values()) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            }
            return changed;
        }
    }
}
