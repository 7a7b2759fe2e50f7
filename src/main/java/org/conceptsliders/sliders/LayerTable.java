package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nn.AdaptableLayer;
import org.conceptsliders.runtime.nn.Module;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The layers a LoRA file may target in one model component, by the flattened names LoRA files
 * use ({@code down_blocks.0.resnets.1.conv1} -> {@code down_blocks_0_resnets_1_conv1}). Built
 * from the component's module tree, so it fits any config. For a UNet the table also holds
 * each layer's name in the original LDM/SGM layout ({@code input_blocks_1_0_in_layers_2}) that
 * kohya uses for SDXL, derived from the block structure found in the tree (kohya sd-scripts'
 * {@code sdxl_model_util} and ComfyUI's {@code unet_to_diffusers} describe the same mapping).
 */
public final class LayerTable {
    /** ResnetBlock2D's diffusers names and their LDM ResBlock names. */
    private static final Map<String, String> RESNET = Map.of(
            "norm1", "in_layers.0", "conv1", "in_layers.2", "time_emb_proj", "emb_layers.1",
            "norm2", "out_layers.0", "conv2", "out_layers.3", "conv_shortcut", "skip_connection");

    private final Map<String, AdaptableLayer> byFlatName = new LinkedHashMap<>();
    private final Map<AdaptableLayer, String> diffusersPath = new LinkedHashMap<>();
    private final Map<AdaptableLayer, String> ldmPath = new LinkedHashMap<>();

    private LayerTable() {
    }

    public static String flatten(String dottedPath) {
        return dottedPath.replace('.', '_');
    }

    /** The adaptable layers of a text encoder (or any module) by their own paths. */
    public static LayerTable of(Module root) {
        LayerTable t = new LayerTable();
        root.namedModules().forEach((path, m) -> {
            if (m instanceof AdaptableLayer layer) {
                t.byFlatName.put(flatten(path), layer);
                t.diffusersPath.put(layer, path);
            }
        });
        return t;
    }

    /** A UNet's layers by diffusers path and by LDM path. */
    public static LayerTable ofUnet(Module unet) {
        LayerTable t = of(unet);
        Map<String, String> blocks = ldmBlocks(unet);
        t.diffusersPath.forEach((layer, path) -> {
            String ldm = toLdm(path, blocks);
            if (ldm != null) {
                t.ldmPath.put(layer, ldm);
                t.byFlatName.putIfAbsent(flatten(ldm), layer);
            }
        });
        return t;
    }

    public AdaptableLayer get(String flatName) {
        return byFlatName.get(flatName);
    }

    public String diffusersPath(AdaptableLayer layer) {
        return diffusersPath.get(layer);
    }

    /** The LDM-layout path of a UNet layer, or null where there is none (a text encoder). */
    public String ldmPath(AdaptableLayer layer) {
        return ldmPath.get(layer);
    }

    public Map<String, AdaptableLayer> layers() {
        return Collections.unmodifiableMap(byFlatName);
    }

    /**
     * diffusers block prefix -> LDM block prefix. A prefix ending in '#' is a ResnetBlock2D,
     * whose inner names are renamed too. Block indices are counted from the tree: down level i
     * holds its resnets then its downsampler, each an {@code input_blocks} entry (so with L
     * layers per block, resnet j of level i is input block 1 + i(L+1) + j); up level i holds its
     * resnets, the upsampler sharing the last entry (at .1, or .2 after an attention).
     */
    private static Map<String, String> ldmBlocks(Module unet) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("conv_in", "input_blocks.0.0");
        m.put("time_embedding.linear_1", "time_embed.0");
        m.put("time_embedding.linear_2", "time_embed.2");
        m.put("add_embedding.linear_1", "label_emb.0.0");
        m.put("add_embedding.linear_2", "label_emb.0.2");
        m.put("conv_norm_out", "out.0");
        m.put("conv_out", "out.2");
        Map<String, Module> top = unet.children();
        int input = 1;
        for (Map.Entry<String, Module> level : children(top.get("down_blocks")).entrySet()) {
            String p = "down_blocks." + level.getKey();
            int n = count(level.getValue(), "resnets");
            for (int j = 0; j < n; j++) {
                m.put(p + ".resnets." + j + "#", "input_blocks." + (input + j) + ".0");
                m.put(p + ".attentions." + j, "input_blocks." + (input + j) + ".1");
            }
            input += n;
            if (level.getValue().children().containsKey("downsamplers")) {
                m.put(p + ".downsamplers.0.conv", "input_blocks." + input + ".0.op");
                input++;
            }
        }
        m.put("mid_block.resnets.0#", "middle_block.0");
        m.put("mid_block.attentions.0", "middle_block.1");
        m.put("mid_block.resnets.1#", "middle_block.2");
        int output = 0;
        for (Map.Entry<String, Module> level : children(top.get("up_blocks")).entrySet()) {
            String p = "up_blocks." + level.getKey();
            int n = count(level.getValue(), "resnets");
            boolean attention = level.getValue().children().containsKey("attentions");
            for (int j = 0; j < n; j++) {
                m.put(p + ".resnets." + j + "#", "output_blocks." + (output + j) + ".0");
                m.put(p + ".attentions." + j, "output_blocks." + (output + j) + ".1");
            }
            m.put(p + ".upsamplers.0.conv", "output_blocks." + (output + n - 1) + (attention ? ".2" : ".1") + ".conv");
            output += n;
        }
        return m;
    }

    private static Map<String, Module> children(Module list) {
        return list == null ? Map.of() : list.children();
    }

    private static int count(Module block, String name) {
        Module list = block.children().get(name);
        return list == null ? 0 : list.children().size();
    }

    private static String toLdm(String path, Map<String, String> blocks) {
        for (Map.Entry<String, String> e : blocks.entrySet()) {
            String key = e.getKey();
            boolean resnet = key.endsWith("#");
            String prefix = resnet ? key.substring(0, key.length() - 1) : key;
            if (path.equals(prefix)) {
                return e.getValue();
            }
            if (path.startsWith(prefix + ".")) {
                String rest = path.substring(prefix.length() + 1);
                if (resnet) {
                    int dot = rest.indexOf('.');
                    String head = dot < 0 ? rest : rest.substring(0, dot);
                    String renamed = RESNET.get(head);
                    if (renamed == null) {
                        return null;
                    }
                    rest = renamed + (dot < 0 ? "" : rest.substring(dot));
                }
                return e.getValue() + "." + rest;
            }
        }
        return null;
    }
}
