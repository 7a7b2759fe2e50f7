package org.conceptsliders.runtime.schedulers;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The samplers a pipeline can run, by the names users pick them with. */
public enum SchedulerKind {
    /** {@link DDIMScheduler}: SD 1.x's usual choice and the one DDIM inversion needs. */
    DDIM,
    /** {@link EulerDiscreteScheduler}: SDXL's default. */
    EULER;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code id} ("ddim", "euler"); anything else lists the accepted names. */
    public static SchedulerKind of(String id) {
        for (SchedulerKind k : values()) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown scheduler \"" + id + "\" (supported: "
                + Arrays.stream(values()).map(SchedulerKind::id).collect(Collectors.joining(", ")) + ")");
    }

    public Scheduler create(SchedulerConfig config) {
        return switch (this) {
            case DDIM -> new DDIMScheduler(config);
            case EULER -> new EulerDiscreteScheduler(config);
        };
    }
}
