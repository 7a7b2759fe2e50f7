package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Adapter;
import org.conceptsliders.runtime.nn.Attention;
import org.conceptsliders.runtime.nn.Conv2d;
import org.conceptsliders.runtime.nn.Downsample2D;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.Parameter;
import org.conceptsliders.runtime.nn.ResnetBlock2D;
import org.conceptsliders.runtime.nn.Upsample2D;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.sliders.LayerTable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A slider being trained: one LoRA module per selected UNet layer (the paper's
 * {@code LoRANetwork} and {@code LoRAModule}), attached as adapters that add
 * {@code multiplier * alpha / rank * up(down(x))}. Its parameters are named as the file will
 * name them ({@code lora_unet_<layer>.lora_down.weight}, {@code .lora_up.weight}), so a
 * training checkpoint and the slider share names.
 *
 * <p>The weights are float32 in this network's own manager whatever the base model's dtype:
 * an fp16 input is computed in float32 and the term cast back, since fp16 weights would lose
 * the small updates of training. Initialisation as the paper's: {@code down} kaiming-uniform
 * with a = 1 (U(-sqrt(3 / fan_in), sqrt(3 / fan_in))), {@code up} zero, so the slider starts
 * as the identity. A conv module's rank is capped at min(rank, in, out), its {@code down} a
 * kxk conv with the layer's stride and padding, its {@code up} 1x1.
 */
public final class SliderNetwork extends Module implements AutoCloseable {
    private final NDManager manager;
    private final Map<AdaptableLayer, Lora> byLayer = new LinkedHashMap<>();
    private final float alpha;
    private final int rank;
    private final TrainMethod method;
    private final boolean conv;
    private volatile double multiplier = 1.0;

    /** One module; {@code child} registration gives its parameters their file names. */
    private static final class Lora extends Module implements Adapter {
        private final SliderNetwork net;
        private final AdaptableLayer layer;
        private final Parameter down;
        private final Parameter up;
        private final double scale;

        Lora(SliderNetwork net, AdaptableLayer layer, int rank, float alpha) {
            this.net = net;
            this.layer = layer;
            Shape w = layer.weight().shape();
            long out = w.get(0);
            long in = w.get(1);
            if (layer instanceof Conv2d c) {
                int r = (int) Math.min(rank, Math.min(in, out));
                this.down = param("lora_down.weight", Parameter.Init.FAN_IN_UNIFORM, in * c.kernel() * c.kernel(),
                        r, in, c.kernel(), c.kernel());
                this.up = param("lora_up.weight", Parameter.Init.ZEROS, r, out, r, 1, 1);
                this.scale = alpha / (double) r;
            } else {
                this.down = param("lora_down.weight", Parameter.Init.FAN_IN_UNIFORM, in, rank, in);
                this.up = param("lora_up.weight", Parameter.Init.ZEROS, rank, out, rank);
                this.scale = alpha / (double) rank;
            }
        }

        @Override
        public NDArray delta(NDArray x) {
            double m = net.multiplier;
            if (m == 0) {
                return null;
            }
            DataType own = down.value().getDataType();
            NDArray x32 = x.getDataType() == own ? x : x.toType(own, false);
            NDArray h;
            if (layer instanceof Conv2d c) {
                h = Conv2d.conv(Conv2d.conv(x32, down.value(), null, c.stride(), c.padding()), up.value(), null, 1, 0);
            } else {
                h = linear(linear(x32, down.value()), up.value());
            }
            h = Owned.mul(h, (float) (m * scale));
            return h.getDataType() == x.getDataType() ? h : h.toType(x.getDataType(), false);
        }

        private static NDArray linear(NDArray x, NDArray w) {
            return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
        }
    }

    private SliderNetwork(Module unet, TrainMethod method, boolean conv, int rank, float alpha, TrainRandom rng) {
        if (rank < 1) {
            throw new IllegalArgumentException("rank: must be at least 1, got " + rank);
        }
        this.rank = rank;
        this.alpha = alpha;
        this.method = method;
        this.conv = conv;
        NDManager device = unet.namedParameters().values().iterator().next().value().getManager();
        this.manager = NDManager.newBaseManager(device.getDevice());
        this.manager.setName("SliderNetwork");
        for (Map.Entry<String, AdaptableLayer> e : layers(unet, method, conv).entrySet()) {
            String name = "lora_unet_" + LayerTable.flatten(e.getKey());
            Lora l = child(name, new Lora(this, e.getValue(), rank, alpha));
            init(l, rng);
            byLayer.put(e.getValue(), l);
        }
        if (byLayer.isEmpty()) {
            manager.close();
            throw new IllegalArgumentException("training_method: '" + method + "' selects no layer of this UNet");
        }
    }

    /** Creates the modules for the layers {@code method} selects and attaches them to {@code unet}. */
    public static SliderNetwork attach(Module unet, TrainMethod method, boolean conv, int rank, float alpha,
                                       TrainRandom rng) {
        SliderNetwork n = new SliderNetwork(unet, method, conv, rank, alpha, rng);
        n.byLayer.forEach(AdaptableLayer::addAdapter);
        return n;
    }

    /**
     * The layers a slider of {@code method} trains, by diffusers path, in module order (see
     * {@link TrainMethod} for the rule).
     */
    public static Map<String, AdaptableLayer> layers(Module unet, TrainMethod method, boolean conv) {
        Map<String, AdaptableLayer> out = new LinkedHashMap<>();
        unet.namedModules().forEach((path, m) -> {
            boolean candidate = m instanceof Attention
                    || conv && (m instanceof ResnetBlock2D || m instanceof Downsample2D || m instanceof Upsample2D);
            if (!candidate || !method.selects(path, "")) {
                return;
            }
            m.namedModules().forEach((child, c) -> {
                if (c instanceof AdaptableLayer layer && method.selects(path, child)) {
                    out.putIfAbsent(path + "." + child, layer);
                }
            });
        });
        return out;
    }

    private void init(Lora l, TrainRandom rng) {
        Parameter d = l.down;
        double bound = Math.sqrt(3.0 / d.fanIn());
        float[] v = new float[Math.toIntExact(d.shape().size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        d.set(Owned.floats(manager, v, d.shape()));
        l.up.set(manager.zeros(l.up.shape(), DataType.FLOAT32));
    }

    /** The factor of every module: 1 while training toward the target, -1 for the opposite, 0 off. */
    public void setMultiplier(double m) {
        this.multiplier = m;
    }

    public double multiplier() {
        return multiplier;
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    public TrainMethod method() {
        return method;
    }

    public boolean convLayers() {
        return conv;
    }

    public int moduleCount() {
        return byLayer.size();
    }

    /** The module's tensors under kohya names with diffusers layer paths, plus {@code .alpha}, in {@code m}. */
    public Map<String, NDArray> tensors(NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> e : children().entrySet()) {
            Lora l = (Lora) e.getValue();
            for (Parameter p : List.of(l.down, l.up)) {
                NDArray c = p.value().toType(DataType.FLOAT32, true);
                c.attach(m);
                out.put(e.getKey() + (p == l.down ? ".lora_down.weight" : ".lora_up.weight"), c);
            }
            out.put(e.getKey() + ".alpha", Owned.scalar(m, alpha));
        }
        return out;
    }

    /** Removes the adapters and frees the weights. */
    @Override
    public void close() {
        byLayer.forEach((layer, l) -> layer.removeAdapter(l));
        manager.close();
    }
}
