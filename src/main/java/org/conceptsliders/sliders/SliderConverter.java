package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.SafeTensorsWriter;
import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.pipeline.ModelKind;
import org.conceptsliders.sliders.LoraModule.Component;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes sliders in the form every Stable Diffusion tool loads: a {@code .safetensors} file
 * with kohya naming ({@code lora_unet_<layer>.lora_down.weight}, {@code .lora_up.weight},
 * {@code .alpha}; {@code lora_te_} for SD 1.x/2.x text encoders, {@code lora_te1_}/{@code lora_te2_}
 * for SDXL's), and metadata in kohya's {@code ss_*}, Stability's {@code modelspec.*} and this
 * project's {@code conceptsliders.*} keys. UNet layers take their diffusers paths for SD 1.x/2.x
 * (as the paper's sliders and A1111 use) and the LDM layout for SDXL (what kohya writes and
 * A1111, Forge and ComfyUI expect for SDXL). LyCORIS' {@code lora_mid} and {@code dora_scale}
 * are kept under their LyCORIS names ({@code ss_network_module = lycoris.kohya}).
 */
public final class SliderConverter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a writer knows about a slider beyond its tensors; null fields are left out. */
    public record Info(String title, String concept, String trainMethod, List<String> prompts, Integer startNoise,
                       List<Double> suggestedScales, String comment) {
        public static Info none() {
            return new Info(null, null, null, null, null, null, null);
        }
    }

    private SliderConverter() {
    }

    /**
     * Reads {@code in} (any format {@link Slider#load} reads, the paper's {@code .pt} included),
     * resolves its modules on the given model (text encoders may be null when the file has no
     * text-encoder keys) and writes {@code out} atomically. Modules that match no layer are an
     * error naming them: a converted file never silently loses part of the slider.
     */
    public static void convert(Path in, Path out, Module unet, Module te1, Module te2, Info info) throws IOException {
        try (NDManager m = NDManager.newBaseManager(); Slider slider = Slider.load(in, m)) {
            write(slider, out, unet, te1, te2, info);
        }
    }

    /** Writes a loaded slider as {@link #convert} does. */
    public static void write(Slider slider, Path out, Module unet, Module te1, Module te2, Info info) throws IOException {
        ModelKind base = ModelKind.of(unet);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = kohyaTensors(slider, base, unet, te1, te2, m);
            SafeTensorsWriter.writeArrays(out, tensors, metadata(slider, base, info));
        }
    }

    static Map<String, NDArray> kohyaTensors(Slider slider, ModelKind base, Module unet, Module te1, Module te2,
                                             NDManager m) {
        Map<Component, LayerTable> tables = new LinkedHashMap<>();
        tables.put(Component.UNET, LayerTable.ofUnet(unet));
        if (te1 != null) {
            tables.put(Component.TEXT_ENCODER, LayerTable.of(te1));
        }
        if (te2 != null) {
            tables.put(Component.TEXT_ENCODER_2, LayerTable.of(te2));
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        List<String> unmatched = new ArrayList<>();
        for (LoraModule mod : slider.modules()) {
            LayerTable t = tables.get(mod.component());
            AdaptableLayer layer = t == null ? null : t.get(mod.flatName());
            if (layer == null) {
                unmatched.add(mod.key());
                continue;
            }
            String misfit = mod.misfit(layer);
            if (misfit != null) {
                throw new IllegalArgumentException(slider.file() + ": " + misfit + ". It looks made for " + slider.madeFor() + ".");
            }
            String name = kohyaName(mod.component(), base, t, layer);
            out.put(name + ".lora_down.weight", copy(mod.down(), m));
            out.put(name + ".lora_up.weight", copy(mod.up(), m));
            if (mod.mid() != null) {
                out.put(name + ".lora_mid.weight", copy(mod.mid(), m));
            }
            if (mod.doraScale() != null) {
                out.put(name + ".dora_scale", copy(mod.doraScale(), m));
            }
            out.put(name + ".alpha", Owned.scalar(m, (float) (mod.alphaOverRank() * mod.rank())));
        }
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException(slider.file() + ": " + unmatched.size() + " module(s) match no layer of this "
                    + base + " model and cannot be named: " + String.join(", ", unmatched.subList(0, Math.min(8, unmatched.size())))
                    + (unmatched.size() > 8 ? ", ..." : ""));
        }
        return out;
    }

    private static String kohyaName(Component c, ModelKind base, LayerTable table, AdaptableLayer layer) {
        return switch (c) {
            case UNET -> "lora_unet_" + LayerTable.flatten(base == ModelKind.SDXL && table.ldmPath(layer) != null
                    ? table.ldmPath(layer) : table.diffusersPath(layer));
            case TEXT_ENCODER -> (base == ModelKind.SDXL ? "lora_te1_" : "lora_te_") + LayerTable.flatten(table.diffusersPath(layer));
            case TEXT_ENCODER_2 -> "lora_te2_" + LayerTable.flatten(table.diffusersPath(layer));
        };
    }

    private static NDArray copy(NDArray a, NDManager m) {
        NDArray c = a.toType(DataType.FLOAT32, true);
        c.attach(m);
        return c;
    }

    static Map<String, String> metadata(Slider slider, ModelKind base, Info info) {
        Map<String, String> meta = new LinkedHashMap<>();
        // Keep what the source said about itself unless the caller says otherwise.
        slider.metadata().forEach((k, v) -> {
            if (k.startsWith("conceptsliders.")) {
                meta.put(k, v);
            }
        });
        boolean lycoris = slider.modules().stream().anyMatch(x -> x.mid() != null || x.doraScale() != null);
        float alpha = (float) (slider.modules().get(0).alphaOverRank() * slider.modules().get(0).rank());
        meta.put("ss_network_module", lycoris ? "lycoris.kohya" : "networks.lora");
        meta.put("ss_network_dim", Long.toString(slider.rank()));
        meta.put("ss_network_alpha", number(alpha));
        meta.put("ss_base_model_version", base.kohyaName());
        meta.put("ss_v2", Boolean.toString(base == ModelKind.SD2));
        meta.put("modelspec.sai_model_spec", "1.0.0");
        meta.put("modelspec.architecture", base.modelspecArchitecture());
        meta.put("modelspec.implementation", base == ModelKind.SDXL
                ? "https://github.com/Stability-AI/generative-models" : "diffusers");
        meta.put("modelspec.title", info.title() != null ? info.title() : stem(slider.file()));
        putIf(meta, "modelspec.description", info.concept());
        putIf(meta, "ss_training_comment", info.comment());
        putIf(meta, SliderMetadata.TRAIN_METHOD, info.trainMethod());
        if (info.prompts() != null) {
            meta.put(SliderMetadata.PROMPTS, json(info.prompts()));
        }
        if (info.startNoise() != null) {
            meta.put(SliderMetadata.START_NOISE, Integer.toString(info.startNoise()));
        }
        if (info.suggestedScales() != null) {
            meta.put(SliderMetadata.SUGGESTED_SCALES, json(info.suggestedScales()));
        }
        meta.put(SliderMetadata.VERSION, "1");
        return meta;
    }

    private static String number(float f) {
        return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
    }

    private static void putIf(Map<String, String> meta, String key, String value) {
        if (value != null) {
            meta.put(key, value);
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stem(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
