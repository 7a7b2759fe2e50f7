package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small module trees named like UNet paths, and a minimal safetensors writer for test files. */
final class TinyModels {
    private TinyModels() {
    }

    static final class Group extends Module {
        <M extends Module> M add(String name, M m) {
            return child(name, m);
        }
    }

    /**
     * A two-level UNet skeleton with one resnet per down level (LDM: input_blocks 1, 2=downsampler, 3),
     * an attention in level 0, a mid block and two up levels of two resnets.
     */
    static Group unet() {
        Group root = new Group();
        root.add("conv_in", new Conv2d(4, 8, 3, 1, 1));
        ModuleList<Group> down = root.add("down_blocks", new ModuleList<>());
        for (int i = 0; i < 2; i++) {
            Group level = down.add(new Group());
            level.add("resnets", new ModuleList<>()).add(resnet(8));
            if (i == 0) {
                ModuleList<Group> attns = level.add("attentions", new ModuleList<>());
                Group attn = attns.add(new Group());
                Group tb = attn.add("transformer_blocks", new ModuleList<Group>()).add(new Group());
                Group attn2 = tb.add("attn2", new Group());
                attn2.add("to_k", new Linear(6, 8, false));
                attn2.add("to_q", new Linear(8, 8, false));
                attn.add("proj_in", new Conv2d(8, 8, 1, 1, 0));
                Group down0 = level.add("downsamplers", new ModuleList<Group>()).add(new Group());
                down0.add("conv", new Conv2d(8, 8, 3, 2, 1));
            }
        }
        Group mid = root.add("mid_block", new Group());
        ModuleList<Group> midRes = mid.add("resnets", new ModuleList<>());
        midRes.add(resnet(8));
        midRes.add(resnet(8));
        ModuleList<Group> up = root.add("up_blocks", new ModuleList<>());
        for (int i = 0; i < 2; i++) {
            Group level = up.add(new Group());
            ModuleList<Group> res = level.add("resnets", new ModuleList<>());
            res.add(resnet(8));
            res.add(resnet(8));
            if (i == 0) {
                level.add("upsamplers", new ModuleList<Group>()).add(new Group()).add("conv", new Conv2d(8, 8, 3, 1, 1));
            }
        }
        root.add("conv_out", new Conv2d(8, 4, 3, 1, 1));
        return root;
    }

    private static Group resnet(int ch) {
        Group r = new Group();
        r.add("conv1", new Conv2d(ch, ch, 3, 1, 1));
        r.add("time_emb_proj", new Linear(16, ch, true));
        r.add("conv2", new Conv2d(ch, ch, 3, 1, 1));
        return r;
    }

    /** Fills every parameter with N(0, 0.5) values from a fixed seed. */
    static void randomize(Module m, NDManager manager, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        m.namedParameters().values().forEach(p -> p.set(manager.randomNormal(0, 0.5f, p.shape(), DataType.FLOAT32)));
    }

    /** Writes F32/F16/BF16-as-is arrays as a safetensors file (test-only: the real writer lives in runtime.io). */
    static void write(Path file, Map<String, NDArray> arrays, Map<String, String> metadata) throws IOException {
        write(file, arrays, metadata, false);
    }

    /** As {@link #write}, float32 arrays stored as bf16 when {@code bf16} (DJL's engine cannot hold bf16 arrays). */
    static void write(Path file, Map<String, NDArray> arrays, Map<String, String> metadata, boolean bf16)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            boolean half = bf16 && a.getDataType() == DataType.FLOAT32;
            byte[] bytes = half ? bf16(a.toFloatArray()) : a.toByteArray();
            data.put(e.getKey(), bytes);
            String dtype = half ? "BF16" : switch (a.getDataType()) {
                case FLOAT32 -> "F32";
                case FLOAT16 -> "F16";
                default -> throw new IllegalArgumentException(a.getDataType().toString());
            };
            header.put(e.getKey(), Map.of("dtype", dtype, "shape", a.getShape().getShape(),
                    "data_offsets", new long[]{offset, offset + bytes.length}));
            offset += bytes.length;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
        try (var out = Files.newOutputStream(file)) {
            out.write(len.array());
            out.write(json);
            for (byte[] b : data.values()) {
                out.write(b);
            }
        }
    }

    private static byte[] bf16(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        return b.array();
    }

    static NDArray randn(NDManager m, long... shape) {
        return m.randomNormal(0, 0.5f, new Shape(shape), DataType.FLOAT32);
    }
}
