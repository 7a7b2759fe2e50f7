package org.conceptsliders.sliders.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which UNet layers a slider trains, as the paper's {@code LoRANetwork.create_modules}
 * (trainscripts/textsliders/lora.py) selects them. Candidates are the Linear/Conv2d layers inside
 * the {@code Attention} modules (to_q, to_k, to_v, to_out.0; not proj_in/proj_out or the
 * feed-forward) and, with conv layers on (the paper's {@code network.type: c3lier}), inside
 * ResnetBlock2D (conv1, conv2, time_emb_proj, conv_shortcut), Downsample2D and Upsample2D. The
 * method then filters by the module path:
 * <ul>
 * <li>{@code noxattn}: skip paths containing "attn2" or "time_embed" (the paper's default)</li>
 * <li>{@code innoxattn}: skip "attn2" (the same layers as noxattn: no time_embed layer is a candidate)</li>
 * <li>{@code selfattn}: only paths containing "attn1"</li>
 * <li>{@code xattn}: only paths containing "attn2"</li>
 * <li>{@code xattn-strict}: as xattn, and not layers whose own name contains "out": to_q, to_k, to_v</li>
 * <li>{@code full}: every candidate</li>
 * </ul>
 */
public enum TrainMethod {
    NOXATTN("noxattn"), INNOXATTN("innoxattn"), SELFATTN("selfattn"), XATTN("xattn"),
    XATTN_STRICT("xattn-strict"), FULL("full");

    private final String spelling;

    TrainMethod(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    public static TrainMethod parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (TrainMethod m : values()) {
            if (m.spelling.equals(v)) {
                return m;
            }
        }
        throw new IllegalArgumentException("training_method: unknown value '" + s + "'; accepted: "
                + Arrays.stream(values()).map(TrainMethod::spelling).collect(Collectors.joining(", ")));
    }

    /**
     * Whether layer {@code child} (its path inside the candidate module) of the candidate module
     * at {@code modulePath} is trained.
     */
    public boolean selects(String modulePath, String child) {
        return switch (this) {
            case NOXATTN -> !modulePath.contains("attn2") && !modulePath.contains("time_embed");
            case INNOXATTN -> !modulePath.contains("attn2");
            case SELFATTN -> modulePath.contains("attn1");
            case XATTN -> modulePath.contains("attn2");
            case XATTN_STRICT -> modulePath.contains("attn2") && !child.contains("out");
            case FULL -> true;
        };
    }

    @Override
    public String toString() {
        return spelling;
    }
}
