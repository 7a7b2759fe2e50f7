package org.conceptsliders.sliders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.TensorFiles;
import org.conceptsliders.runtime.pipeline.ModelKind;
import org.conceptsliders.sliders.LoraModule.Component;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A LoRA file as loaded: its low-rank modules by target, its metadata, and the keys that are
 * not part of any module. The layout is detected from the keys, not the file name:
 * <ul>
 * <li>{@link Format#KOHYA}: {@code lora_unet_<layer>.lora_down.weight / lora_up.weight / alpha},
 * text encoders as {@code lora_te_}, {@code lora_te1_}, {@code lora_te2_}. The paper's sliders
 * (its {@code LoRANetwork}) use this naming with diffusers layer paths; kohya's SDXL files use
 * the LDM layout ({@code input_blocks_4_1_...}). Both resolve through {@link LayerTable}.</li>
 * <li>{@link Format#LYCORIS}: the same names plus {@code lora_mid.weight} (Tucker core) and/or
 * {@code dora_scale} (DoRA).</li>
 * <li>{@link Format#PEFT}: {@code [unet.|text_encoder.|text_encoder_2.]<path>.lora_A.weight / lora_B.weight},
 * alpha from {@code <path>.alpha} or the {@code lora_adapter_metadata} JSON, else rank.</li>
 * <li>{@link Format#DIFFUSERS}: the older {@code <path>.lora.down.weight / .lora.up.weight} and
 * attention-processor {@code processor.to_q_lora.down.weight} names.</li>
 * </ul>
 * LoHa and LoKr files are refused with a message naming the format.
 *
 * <p>The tensors live in the slider's own {@link NDManager}: {@link #close()} frees exactly them.
 */
public final class Slider implements AutoCloseable {

    /** The key layouts this loader understands. */
    public enum Format { KOHYA, LYCORIS, PEFT, DIFFUSERS }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final NDManager manager;
    private final Format format;
    private final List<LoraModule> modules;
    private final Map<String, String> metadata;
    private final List<String> unrecognizedKeys;

    private Slider(Path file, NDManager manager, Format format, List<LoraModule> modules,
                   Map<String, String> metadata, List<String> unrecognizedKeys) {
        this.file = file;
        this.manager = manager;
        this.format = format;
        this.modules = modules;
        this.metadata = metadata;
        this.unrecognizedKeys = unrecognizedKeys;
    }

    /** Loads {@code file} in float32 into a new sub-manager of {@code parent}. */
    public static Slider load(Path file, NDManager parent) throws IOException {
        return load(file, parent, DataType.FLOAT32);
    }

    /**
     * Loads {@code file} (.safetensors or a torch .pt zip; bf16, fp16 or fp32) into a new
     * sub-manager of {@code parent}, converting its tensors to {@code dtype}.
     */
    public static Slider load(Path file, NDManager parent, DataType dtype) throws IOException {
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> tensors = TensorFiles.loadAll(file, m);
            Map<String, String> metadata = TensorFiles.metadata(file);
            return parse(file, m, tensors, metadata, dtype);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static Slider parse(Path file, NDManager m, Map<String, NDArray> tensors, Map<String, String> metadata,
                                DataType dtype) throws IOException {
        Map<String, Parts> byName = new LinkedHashMap<>();
        List<String> unrecognized = new ArrayList<>();
        Format format = null;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String key = e.getKey();
            refuseUnsupported(file, key);
            Name n = Name.of(key);
            if (n == null) {
                unrecognized.add(key);
                continue;
            }
            format = format == null || format == Format.KOHYA && n.format == Format.LYCORIS ? n.format : format;
            Parts p = byName.computeIfAbsent(n.component + ":" + n.flat, k -> new Parts(n.component, n.flat, n.stem));
            NDArray a = e.getValue();
            if (n.role == Role.ALPHA) {
                try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                    p.alpha = f.toFloatArray()[0];
                }
                continue;
            }
            NDArray converted = a.getDataType() == dtype ? a : a.toType(dtype, false);
            switch (n.role) {
                case DOWN -> p.down = converted;
                case UP -> p.up = converted;
                case MID -> p.mid = converted;
                case DORA -> p.dora = converted;
                default -> throw new IllegalStateException();
            }
        }
        // Free the stored-dtype originals and alphas now that the converted arrays exist.
        for (NDArray a : tensors.values()) {
            if (a.getDataType() != dtype || a.getShape().size() <= 1) {
                a.close();
            }
        }
        if (byName.isEmpty()) {
            throw new IOException(file + ": no LoRA tensors found (expected keys like lora_unet_<layer>.lora_down.weight,"
                    + " <path>.lora_A.weight or <path>.lora.down.weight; first keys: "
                    + String.join(", ", unrecognized.subList(0, Math.min(3, unrecognized.size()))) + ")");
        }
        float[] defaultAlpha = peftAlphas(file, metadata);
        List<LoraModule> modules = new ArrayList<>();
        for (Parts p : byName.values()) {
            if (p.down == null || p.up == null) {
                throw new IOException(file + ": module '" + p.stem + "' has no " + (p.down == null ? "down" : "up")
                        + " weight");
            }
            float alpha = p.alpha;
            if (Float.isNaN(alpha) && defaultAlpha != null) {
                alpha = defaultAlpha[p.component.ordinal()];
            }
            modules.add(new LoraModule(p.component, p.flat, p.stem, p.down, p.up, p.mid, p.dora, alpha));
        }
        return new Slider(file, m, format, Collections.unmodifiableList(modules), metadata,
                Collections.unmodifiableList(unrecognized));
    }

    /**
     * alpha per component from diffusers' {@code lora_adapter_metadata} (a PEFT
     * {@code LoraConfig} as JSON, its keys prefixed by the component when several are saved).
     */
    private static float[] peftAlphas(Path file, Map<String, String> metadata) throws IOException {
        String json = metadata.get("lora_adapter_metadata");
        if (json == null) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": metadata lora_adapter_metadata is not valid JSON", e);
        }
        float[] out = new float[Component.values().length];
        String[] prefixes = {"unet.", "text_encoder.", "text_encoder_2."};
        for (Component c : Component.values()) {
            JsonNode a = root.get(prefixes[c.ordinal()] + "lora_alpha");
            a = a == null ? root.get("lora_alpha") : a;
            out[c.ordinal()] = a == null || !a.isNumber() ? Float.NaN : a.floatValue();
        }
        return out;
    }

    private static void refuseUnsupported(Path file, String key) throws IOException {
        if (key.contains(".hada_w") || key.contains(".hada_t")) {
            throw new IOException(file + ": LyCORIS LoHa (Hadamard product, key '" + key + "') is not supported;"
                    + " only LoRA, LoCon (with lora_mid) and DoRA files are");
        }
        if (key.contains(".lokr_w") || key.contains(".lokr_t")) {
            throw new IOException(file + ": LyCORIS LoKr (Kronecker product, key '" + key + "') is not supported;"
                    + " only LoRA, LoCon (with lora_mid) and DoRA files are");
        }
    }

    private enum Role { DOWN, UP, MID, ALPHA, DORA }

    private static final class Parts {
        final Component component;
        final String flat;
        final String stem;
        NDArray down;
        NDArray up;
        NDArray mid;
        NDArray dora;
        float alpha = Float.NaN;

        Parts(Component component, String flat, String stem) {
            this.component = component;
            this.flat = flat;
            this.stem = stem;
        }
    }

    /** One key split into the module it belongs to and its role there. */
    private record Name(Format format, Component component, String flat, String stem, Role role) {
        private static final Map<String, Role> KOHYA_ROLES = Map.of(
                "lora_down.weight", Role.DOWN, "lora_up.weight", Role.UP, "lora_mid.weight", Role.MID,
                "alpha", Role.ALPHA, "dora_scale", Role.DORA);
        private static final Map<String, Role> DOTTED_ROLES = new LinkedHashMap<>();

        static {
            DOTTED_ROLES.put(".lora_A.weight", Role.DOWN);
            DOTTED_ROLES.put(".lora_B.weight", Role.UP);
            DOTTED_ROLES.put(".lora.down.weight", Role.DOWN);
            DOTTED_ROLES.put(".lora.up.weight", Role.UP);
            DOTTED_ROLES.put(".lora_linear_layer.down.weight", Role.DOWN);
            DOTTED_ROLES.put(".lora_linear_layer.up.weight", Role.UP);
            DOTTED_ROLES.put("_lora.down.weight", Role.DOWN);
            DOTTED_ROLES.put("_lora.up.weight", Role.UP);
            DOTTED_ROLES.put(".alpha", Role.ALPHA);
        }

        static Name of(String key) {
            Component c = kohyaComponent(key);
            if (c != null) {
                int dot = key.indexOf('.');
                Role role = dot < 0 ? null : KOHYA_ROLES.get(key.substring(dot + 1));
                if (role == null) {
                    return null;
                }
                String stem = key.substring(0, dot);
                String flat = stem.substring(stem.indexOf('_', "lora_".length()) + 1);
                Format f = role == Role.MID || role == Role.DORA ? Format.LYCORIS : Format.KOHYA;
                return new Name(f, c, flat, stem, role);
            }
            for (Map.Entry<String, Role> r : DOTTED_ROLES.entrySet()) {
                if (key.endsWith(r.getKey())) {
                    String stem = key.substring(0, key.length() - r.getKey().length());
                    Format f = r.getKey().contains("lora_A") || r.getKey().contains("lora_B") ? Format.PEFT : Format.DIFFUSERS;
                    return dotted(key, stem, r.getValue(), f);
                }
            }
            return null;
        }

        private static Component kohyaComponent(String key) {
            if (key.startsWith("lora_unet_")) {
                return Component.UNET;
            }
            if (key.startsWith("lora_te_") || key.startsWith("lora_te1_")) {
                return Component.TEXT_ENCODER;
            }
            return key.startsWith("lora_te2_") ? Component.TEXT_ENCODER_2 : null;
        }

        private static Name dotted(String key, String stem, Role role, Format format) {
            String path = stem.startsWith("base_model.model.") ? stem.substring("base_model.model.".length()) : stem;
            Component c = Component.UNET;
            if (path.startsWith("text_encoder_2.")) {
                c = Component.TEXT_ENCODER_2;
                path = path.substring("text_encoder_2.".length());
            } else if (path.startsWith("text_encoder.")) {
                c = Component.TEXT_ENCODER;
                path = path.substring("text_encoder.".length());
            } else if (path.startsWith("unet.")) {
                path = path.substring("unet.".length());
            }
            // Attention processors: attn1.processor.to_q_lora -> attn1.to_q, to_out_lora -> to_out.0
            int proc = path.indexOf(".processor.");
            if (proc >= 0) {
                String attr = path.substring(proc + ".processor.".length());
                path = path.substring(0, proc) + "." + (attr.equals("to_out") ? "to_out.0" : attr);
            }
            return new Name(format, c, LayerTable.flatten(path), stem, role);
        }
    }

    public Path file() {
        return file;
    }

    public Format format() {
        return format;
    }

    public List<LoraModule> modules() {
        return modules;
    }

    /** The largest rank of its modules (a file usually has one rank). */
    public long rank() {
        return modules.stream().mapToLong(LoraModule::rank).max().orElse(0);
    }

    /** alpha of the first module (files usually share one), or NaN when the file has none. */
    public float alpha() {
        return modules.get(0).alpha();
    }

    /** The safetensors {@code __metadata__} (empty for a .pt). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Keys that belong to no LoRA module (reported, never silently dropped). */
    public List<String> unrecognizedKeys() {
        return unrecognizedKeys;
    }

    /** {@code conceptsliders.start_noise} from the metadata, when the file has it. */
    public OptionalInt startNoise() {
        String s = metadata.get(SliderMetadata.START_NOISE);
        if (s == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of((int) Math.round(Double.parseDouble(s.trim())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata " + SliderMetadata.START_NOISE + " = '" + s
                    + "' is not a number", e);
        }
    }

    /**
     * Which model the file seems made for, from its tensors: text_encoder_2 keys mean SDXL; the
     * input width of a cross-attention key/value projection is the model's text width
     * (768 SD 1.x, 1024 SD 2.x, 2048 SDXL).
     */
    public String madeFor() {
        if (modules.stream().anyMatch(m -> m.component() == Component.TEXT_ENCODER_2)) {
            return "SDXL (it has text_encoder_2 keys)";
        }
        for (LoraModule m : modules) {
            if (m.component() == Component.UNET && (m.flatName().endsWith("attn2_to_k") || m.flatName().endsWith("attn2_to_v"))) {
                long dim = m.inFeatures();
                ModelKind b = ModelKind.ofCrossAttentionDim(dim);
                return "a model with cross-attention dim " + dim + (b == null ? "" : " (" + b.name() + ")");
            }
        }
        return "an unknown model (the file has no cross-attention keys)";
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "Slider[" + file.getFileName() + ", " + format + ", " + modules.size() + " modules, rank " + rank() + "]";
    }
}
