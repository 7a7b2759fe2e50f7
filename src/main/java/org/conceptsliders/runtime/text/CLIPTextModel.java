package org.conceptsliders.runtime.text;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.io.WeightSource;
import org.conceptsliders.runtime.nn.Functional;
import org.conceptsliders.runtime.nn.LayerNorm;
import org.conceptsliders.runtime.nn.Linear;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.ModuleList;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.nn.WeightLoader;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CLIP's causal text transformer: transformers' {@code CLIPTextModel}, and
 * {@code CLIPTextModelWithProjection} when the config's {@code architectures} says so (SDXL's
 * {@code text_encoder_2}). Pre-norm encoder layers (attention and MLP, each with a residual),
 * a causal mask, a final layer norm; the pooled state is taken at the first EOS.
 */
public final class CLIPTextModel extends Module {

    private static final String POSITION_IDS_BUFFER = "text_model.embeddings.position_ids";

    private final CLIPTextConfig config;
    private final Compute compute;
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;
    private final ModuleList<EncoderLayer> layers;
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection;

    public CLIPTextModel(CLIPTextConfig config, Compute compute) {
        this.config = config;
        this.compute = compute;
        int hidden = config.hiddenSize();
        Group textModel = child("text_model", new Group());
        Group embeddings = textModel.add("embeddings", new Group());
        tokenEmbedding = embeddings.add("token_embedding", new Embedding(config.vocabSize(), hidden));
        positionEmbedding = embeddings.add("position_embedding", new Embedding(config.maxPositionEmbeddings(), hidden));
        layers = textModel.add("encoder", new Group()).add("layers", new ModuleList<>());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new EncoderLayer(config));
        }
        finalLayerNorm = textModel.add("final_layer_norm", new LayerNorm(hidden, config.layerNormEps()));
        textProjection = config.withProjection()
                ? child("text_projection", new Linear(hidden, config.projectionDim(), false))
                : null;
    }

    /**
     * Reads {@code config.json} and {@code model.safetensors} (or its shard index
     * {@code model.safetensors.index.json}) from a transformers folder such as a diffusers
     * {@code text_encoder/}; the weights are loaded into {@code manager} in the compute dtype.
     */
    public static CLIPTextModel load(Path dir, NDManager manager, Compute compute) throws IOException {
        CLIPTextModel model = new CLIPTextModel(CLIPTextConfig.read(Config.read(dir.resolve("config.json"))), compute);
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            weights = dir.resolve("model.safetensors.index.json");
        }
        if (!Files.isRegularFile(weights)) {
            throw new FileNotFoundException(dir.resolve("model.safetensors")
                    + ": weight file not found (nor model.safetensors.index.json)");
        }
        try (WeightSource source = WeightSource.open(weights)) {
            WeightLoader.load(model, source, manager, compute.dtype(), POSITION_IDS_BUFFER::equals);
        }
        return model;
    }

    public CLIPTextConfig config() {
        return config;
    }

    /**
     * Encodes token ids [B, L] (L at most {@code max_position_embeddings}, int64 or int32, as
     * {@link ClipTokenizer} gives them). Temporaries and results live in the ids' manager.
     */
    public TextEncoderOutput forward(NDArray inputIds) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(1) < 1 || shape.get(1) > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("input_ids must be [batch, length <= "
                    + config.maxPositionEmbeddings() + "], found " + shape);
        }
        if (!inputIds.getDataType().isInteger()) {
            throw new IllegalArgumentException("input_ids must be integer, found " + inputIds.getDataType());
        }
        int batch = (int) shape.get(0);
        int length = (int) shape.get(1);
        NDArray ids = inputIds.toType(DataType.INT64, false);
        int[] eos = firstArgmaxPerRow(ids.toLongArray(), length);
        ids = ids.toDevice(compute.device(), false);
        NDManager m = ids.getManager();
        NDArray positions = m.arange(0f, length, 1f, DataType.INT64, compute.device());
        NDArray h = tokenEmbedding.forward(ids).add(positionEmbedding.forward(positions));
        NDArray mask = causalMask(m, length).toDevice(compute.device(), false).toType(h.getDataType(), false);

        NDArray layerInput = h;
        for (EncoderLayer layer : layers.items()) {
            layerInput = h;
            h = layer.forward(h, mask);
        }
        NDArray last = finalLayerNorm.forward(h);

        NDList pooledRows = new NDList(batch);
        for (int b = 0; b < batch; b++) {
            pooledRows.add(last.get(new NDIndex("{}, {}", b, eos[b])));
        }
        NDArray pooled = NDArrays.stack(pooledRows);
        NDArray embeds = textProjection == null ? null : textProjection.forward(pooled);
        return new TextEncoderOutput(last, layerInput, pooled, embeds);
    }

    /** Index of the first maximum of each row: the first EOS, since 49407 is the largest id. */
    private int[] firstArgmaxPerRow(long[] ids, int length) {
        int[] out = new int[ids.length / length];
        for (int b = 0; b < out.length; b++) {
            for (int i = 0; i < length; i++) {
                long id = ids[b * length + i];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("input_ids[" + b + ", " + i + "] = " + id
                            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                if (id > ids[b * length + out[b]]) {
                    out[b] = i;
                }
            }
        }
        return out;
    }

    /** [L, L], -inf above the diagonal: position i attends to positions up to i. */
    private static NDArray causalMask(NDManager m, int length) {
        float[] mask = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = i + 1; j < length; j++) {
                mask[i * length + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return Owned.floats(m, mask, new Shape(length, length));
    }

    /** A path segment of the checkpoint with no computation of its own. */
    private static final class Group extends Module {
        <M extends Module> M add(String name, M module) {
            return child(name, module);
        }
    }

    /** torch.nn.Embedding: weight [num, dim]. */
    private static final class Embedding extends Module {
        private final Parameter weight;

        Embedding(long num, long dim) {
            weight = param("weight", Parameter.Init.NORMAL_002, 0, num, dim);
        }

        /** Called on the indices so that the result belongs to their manager, not the weight's. */
        NDArray forward(NDArray indices) {
            return indices.getNDArrayInternal().embedding(indices, weight.value(), SparseFormat.DENSE).singletonOrThrow();
        }
    }

    /** transformers' CLIPEncoderLayer: x + attn(ln1(x)), then x + mlp(ln2(x)). */
    private static final class EncoderLayer extends Module {
        private final int heads;
        private final CLIPTextConfig.HiddenAct act;
        private final Linear q;
        private final Linear k;
        private final Linear v;
        private final Linear out;
        private final LayerNorm norm1;
        private final Linear fc1;
        private final Linear fc2;
        private final LayerNorm norm2;

        EncoderLayer(CLIPTextConfig c) {
            int hidden = c.hiddenSize();
            heads = c.numAttentionHeads();
            act = c.hiddenAct();
            Group attn = child("self_attn", new Group());
            q = attn.add("q_proj", new Linear(hidden, hidden, true));
            k = attn.add("k_proj", new Linear(hidden, hidden, true));
            v = attn.add("v_proj", new Linear(hidden, hidden, true));
            out = attn.add("out_proj", new Linear(hidden, hidden, true));
            norm1 = child("layer_norm1", new LayerNorm(hidden, c.layerNormEps()));
            Group mlp = child("mlp", new Group());
            fc1 = mlp.add("fc1", new Linear(hidden, c.intermediateSize(), true));
            fc2 = mlp.add("fc2", new Linear(c.intermediateSize(), hidden, true));
            norm2 = child("layer_norm2", new LayerNorm(hidden, c.layerNormEps()));
        }

        NDArray forward(NDArray x, NDArray mask) {
            NDArray n = norm1.forward(x);
            x = x.add(out.forward(Functional.attention(q.forward(n), k.forward(n), v.forward(n), heads, mask)));
            NDArray hidden = fc1.forward(norm2.forward(x));
            hidden = act == CLIPTextConfig.HiddenAct.GELU ? Functional.gelu(hidden) : Functional.quickGelu(hidden);
            return x.add(fc2.forward(hidden));
        }
    }
}
