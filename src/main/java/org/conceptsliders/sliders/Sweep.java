package org.conceptsliders.sliders;

import java.util.ArrayList;
import java.util.List;

/**
 * The images of a slider sweep: one prompt and seed (so the same initial noise), one request
 * per scale of a slider, or per cell of a grid over two sliders (first slider in the outer
 * loop). The pipeline runs {@link #requests()} in order and labels each image with
 * {@link #labels()} ({@link Labels}: the swept sliders, seed and prompt).
 */
public final class Sweep {
    private final List<GenerateRequest> requests = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();

    private Sweep() {
    }

    /** One image per entry of {@code scales} for {@code slider}; the request's own sliders stay on. */
    public static Sweep of(GenerateRequest request, SliderSpec slider, double[] scales) {
        return grid(request, slider, scales, null, null);
    }

    /** A grid over two sliders ({@code slider2} null: a 1-D sweep). */
    public static Sweep grid(GenerateRequest request, SliderSpec slider, double[] scales,
                             SliderSpec slider2, double[] scales2) {
        if (scales == null || scales.length == 0) {
            throw new IllegalArgumentException("scales: at least one scale is needed");
        }
        if (slider2 != null && (scales2 == null || scales2.length == 0)) {
            throw new IllegalArgumentException("scales2: at least one scale is needed for the second slider");
        }
        Sweep s = new Sweep();
        for (double a : scales) {
            if (slider2 == null) {
                s.add(request, List.of(slider.withScale(a)));
                continue;
            }
            for (double b : scales2) {
                s.add(request, List.of(slider.withScale(a), slider2.withScale(b)));
            }
        }
        return s;
    }

    private void add(GenerateRequest request, List<SliderSpec> swept) {
        List<SliderSpec> all = new ArrayList<>(request.sliders());
        all.addAll(swept);
        requests.add(request.withSliders(all));
        labels.add(Labels.of(swept, request));
    }

    public List<GenerateRequest> requests() {
        return List.copyOf(requests);
    }

    public List<String> labels() {
        return List.copyOf(labels);
    }
}
