package org.conceptsliders.cli;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.io.SafeTensorsWriter;
import org.conceptsliders.runtime.io.TensorFiles;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.text.TextEncoderOutput;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.sliders.SliderSet;
import org.conceptsliders.sliders.SliderSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * The conformance runner: one component forward on tensors from a file, outputs to a file, so
 * that anyone can check this runtime against another implementation.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run one diffusers component on the tensors of a safetensors file and write its outputs.",
                "Text encoder: input_ids -> last_hidden_state, penultimate_hidden_state, pooler_output[, text_embeds].",
                "UNet: sample, timestep, encoder_hidden_states[, text_embeds, time_ids] -> sample.",
                "VAE: image -> latent_mean, latent_std; latent -> decoded (whichever inputs are present)."})
final class ForwardCommand implements Callable<Integer> {
    @Option(names = "--component", required = true, description = "One component folder (its kind is read from config.json).")
    Path component;

    @Option(names = "--inputs", required = true, description = "Input tensors (.safetensors).")
    Path inputs;

    @Option(names = "--out", required = true, description = "Output file (.safetensors), written atomically.")
    Path out;

    @Option(names = "--slider", description = "FILE:SCALE[:START_NOISE] (UNet only, repeatable).")
    List<String> sliders = new ArrayList<>();

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        Compute compute = device.compute();
        Config config = Config.read(component.resolve("config.json"));
        String kind = config.getString("_class_name", null);
        if (kind == null && config.has("architectures")) {
            kind = config.getStrings("architectures").get(0);
        }
        if (kind == null) {
            throw config.error("_class_name", "cannot tell the component kind (no _class_name or architectures)");
        }
        if (!sliders.isEmpty() && !kind.equals("UNet2DConditionModel")) {
            throw new IllegalArgumentException("--slider applies to a UNet component, not " + kind);
        }
        try (NDManager m = NDManager.newBaseManager(compute.device())) {
            Map<String, NDArray> in = TensorFiles.loadAll(inputs, m);
            Map<String, NDArray> result = switch (kind) {
                case "CLIPTextModel", "CLIPTextModelWithProjection" -> text(m, compute, in);
                case "UNet2DConditionModel" -> unet(m, compute, in);
                case "AutoencoderKL" -> vae(m, compute, in);
                default -> throw config.error("_class_name", "unsupported component \"" + kind
                        + "\" (supported: CLIPTextModel, CLIPTextModelWithProjection, UNet2DConditionModel, AutoencoderKL)");
            };
            Map<String, NDArray> f32 = new LinkedHashMap<>();
            result.forEach((k, v) -> f32.put(k, v.toType(DataType.FLOAT32, false).toDevice(ai.djl.Device.cpu(), false)));
            SafeTensorsWriter.writeArrays(out, f32, Map.of("component", kind));
            System.err.println("wrote " + String.join(", ", f32.keySet()) + " to " + out);
        }
        return 0;
    }

    private static NDArray need(Map<String, NDArray> in, String key, Path file) {
        NDArray a = in.get(key);
        if (a == null) {
            throw new IllegalArgumentException(file + ": missing input tensor '" + key + "'");
        }
        return a;
    }

    private Map<String, NDArray> text(NDManager m, Compute compute, Map<String, NDArray> in) throws Exception {
        CLIPTextModel te = CLIPTextModel.load(component, m, compute);
        TextEncoderOutput o = te.forward(need(in, "input_ids", inputs).toDevice(compute.device(), false));
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("last_hidden_state", o.lastHiddenState());
        out.put("penultimate_hidden_state", o.penultimateHiddenState());
        out.put("pooler_output", o.pooledOutput());
        if (o.textEmbeds() != null) {
            out.put("text_embeds", o.textEmbeds());
        }
        return out;
    }

    private Map<String, NDArray> unet(NDManager m, Compute compute, Map<String, NDArray> in) throws Exception {
        UNet2DConditionModel unet = UNet2DConditionModel.load(component, m, compute);
        NDArray sample = cast(need(in, "sample", inputs), compute);
        NDArray ehs = cast(need(in, "encoder_hidden_states", inputs), compute);
        NDArray textEmbeds = castOrNull(in.get("text_embeds"), compute);
        NDArray timeIds = castOrNull(in.get("time_ids"), compute);
        long batch = sample.getShape().get(0);
        double[] t = need(in, "timestep", inputs).toType(DataType.FLOAT64, false).toDoubleArray();
        if (t.length != 1 && t.length != batch) {
            throw new IllegalArgumentException(inputs + ": 'timestep' has " + t.length + " values for a batch of " + batch);
        }
        NDArray timesteps = Owned.doubles(m, t, new Shape(t.length)).toType(DataType.FLOAT32, false).toDevice(compute.device(), false);
        // A slider given without START_NOISE is on at every timestep here: the runner checks the
        // module, not the sampling schedule. With START_NOISE, each sample is gated by its own t.
        List<SliderSpec> specs = sliders.stream().map(SliderSpec::parse)
                .map(s -> s.startNoise().isPresent() ? s : new SliderSpec(s.file(), s.scale(), OptionalInt.of(1000), s.stopNoise()))
                .toList();
        try (SliderSet set = SliderSet.attach(unet, null, null, specs, m)) {
            set.entries().forEach(e -> e.unmatchedKeys().forEach(k ->
                    System.err.println("warning: " + e.name() + ": module '" + k + "' matches no layer of this UNet")));
            // One forward per distinct on/off pattern of the sliders; each sample takes the rows of its own.
            Map<List<Boolean>, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < batch; i++) {
                double ti = t[t.length == 1 ? 0 : i];
                groups.computeIfAbsent(set.entries().stream().map(e -> e.inWindow(ti)).toList(), k -> new ArrayList<>()).add(i);
            }
            NDArray out = null;
            for (List<Integer> rows : groups.values()) {
                set.beforeUnet(t[t.length == 1 ? 0 : rows.get(0)]);
                NDArray y = unet.forward(sample, timesteps, ehs, textEmbeds, timeIds);
                if (out == null) {
                    out = y;
                    continue;
                }
                boolean[] take = new boolean[(int) batch];
                rows.forEach(i -> take[i] = true);
                NDArray mask = Owned.booleans(m, take, new Shape(take.length)).toDevice(compute.device(), false).reshape(batch, 1, 1, 1).broadcast(y.getShape());
                out = ai.djl.ndarray.NDArrays.where(mask, y, out);
            }
            return Map.of("sample", out);
        }
    }

    private Map<String, NDArray> vae(NDManager m, Compute compute, Map<String, NDArray> in) throws Exception {
        AutoencoderKL vae = AutoencoderKL.load(component, m, compute);
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (in.containsKey("image")) {
            var dist = vae.encode(cast(in.get("image"), compute));
            out.put("latent_mean", dist.mean());
            out.put("latent_std", dist.std());
        }
        if (in.containsKey("latent")) {
            out.put("decoded", vae.decode(cast(in.get("latent"), compute)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(inputs + ": a VAE needs an 'image' or a 'latent' input tensor");
        }
        return out;
    }

    private static NDArray cast(NDArray a, Compute c) {
        return a.toDevice(c.device(), false).toType(c.dtype(), false);
    }

    private static NDArray castOrNull(NDArray a, Compute c) {
        return a == null ? null : cast(a, c);
    }
}
