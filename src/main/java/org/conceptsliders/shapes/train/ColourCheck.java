package org.conceptsliders.shapes.train;

import org.conceptsliders.shapes.Measurement;
import org.conceptsliders.shapes.ShapeMeasurer;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapesWorld;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Does a VAE keep the palette? A fixed set of scenes, the same number for every (colour,
 * background) combination, goes through a reconstruction, and {@link ShapeMeasurer} must read
 * each reconstruction's fill as the drawn colour. An earlier PyTorch feasibility run had a VAE
 * that turned red on white into orange and green into brown while its mean error looked fine,
 * so colour prompts failed; this check gates the UNet stage on it. It also counts the
 * reconstructions whose measured shape class is the drawn one: reported, not gated, because the
 * measurer itself reads a few small shapes wrong and the shape is what the VAE keeps worst.
 */
public final class ColourCheck {

    /**
     * @param passed     reconstructions measured as their drawn colour
     * @param total      scenes checked
     * @param failures   per "colour on background" combination, how many failed (only those that did)
     * @param shapesKept reconstructions measured as their drawn shape class
     */
    public record Result(int passed, int total, Map<String, Integer> failures, int shapesKept) {
        public double rate() {
            return total == 0 ? 1.0 : (double) passed / total;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d/%d (%.1f %%) colours kept%s; %d/%d shapes kept", passed, total,
                    100 * rate(), failures.isEmpty() ? "" : ", failures " + failures, shapesKept, total);
        }
    }

    private ColourCheck() {
    }

    /**
     * {@code perCombination} scenes for each colour on each background class, drawn from
     * {@code seed}, without blur (a blurred small shape is a test of the measurer, not of the VAE).
     */
    public static List<ShapeScene> scenes(ShapesWorld world, int perCombination, long seed) {
        Random random = new Random(seed);
        List<ShapeScene> out = new ArrayList<>();
        for (Colour colour : Colour.values()) {
            for (Background bg : Background.values()) {
                for (int i = 0; i < perCombination; i++) {
                    ShapeScene s = world.random(random);
                    double level = bg.min() + (bg.max() - bg.min()) * random.nextDouble();
                    out.add(new ShapeScene(s.shape(), s.size(), colour, s.x(), s.y(), level, s.outline(), 0.0,
                            s.gradient()));
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Renders the scenes, reconstructs them in one call and measures the results. */
    public static Result check(ShapesWorld world, List<ShapeScene> scenes, UnaryOperator<int[][]> reconstruct) {
        int[][] pictures = scenes.stream().map(world::render).toArray(int[][]::new);
        int[][] rebuilt = reconstruct.apply(pictures);
        if (rebuilt.length != pictures.length) {
            throw new IllegalArgumentException("reconstruction returned " + rebuilt.length + " pictures for " + pictures.length);
        }
        int passed = 0;
        int shapesKept = 0;
        Map<String, Integer> failures = new LinkedHashMap<>();
        for (int i = 0; i < scenes.size(); i++) {
            ShapeScene s = scenes.get(i);
            Measurement m = ShapeMeasurer.measure(rebuilt[i], world.width(), world.height());
            if (m.colour() == s.colour()) {
                passed++;
            } else {
                failures.merge(s.colour().word() + " on " + s.backgroundClass().word(), 1, Integer::sum);
            }
            if (m.shape() == s.shape()) {
                shapesKept++;
            }
        }
        return new Result(passed, scenes.size(), failures, shapesKept);
    }
}
