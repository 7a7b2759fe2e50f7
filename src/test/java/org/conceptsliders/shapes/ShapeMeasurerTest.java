package org.conceptsliders.shapes;

import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.shapes.ShapeScene.Size;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeMeasurerTest {

    private static final int SIDE = 64;
    private static final int SCENES = 500;
    private static final int SWEEPS = 10;
    private final ShapesWorld world = new ShapesWorld();

    @Test
    void recoversCleanRenders() {
        Random random = new Random(1);
        int colourOk = 0;
        int shapeOk = 0;
        int backgroundOk = 0;
        int sizeOk = 0;
        double worstArea = 0;
        double worstCentroidPx = 0;
        double worstGradient = 0;
        Map<Size, double[]> areaRange = new EnumMap<>(Size.class);
        Map<Shape, int[]> shapeHits = new EnumMap<>(Shape.class);
        for (int k = 0; k < SCENES; k++) {
            ShapeScene scene = world.random(random);
            Measurement m = ShapeMeasurer.measure(world.render(scene), SIDE, SIDE);
            assertTrue(m.found(), scene.toString());
            colourOk += m.colour() == scene.colour() ? 1 : 0;
            shapeOk += m.shape() == scene.shape() ? 1 : 0;
            int[] hits = shapeHits.computeIfAbsent(scene.shape(), s -> new int[2]);
            hits[0] += m.shape() == scene.shape() ? 1 : 0;
            hits[1]++;
            backgroundOk += m.background() == scene.backgroundClass() ? 1 : 0;
            sizeOk += m.sizeClass() == scene.sizeClass() ? 1 : 0;
            double trueArea = scene.area();
            double measuredArea = m.areaFraction();
            worstArea = Math.max(worstArea, Math.abs(measuredArea / trueArea - 1));
            double[] range = areaRange.computeIfAbsent(scene.sizeClass(), s -> new double[] {1, 0});
            range[0] = Math.min(range[0], measuredArea);
            range[1] = Math.max(range[1], measuredArea);
            double dx = (m.x() - scene.x()) * SIDE;
            double dy = (m.y() - scene.y()) * SIDE;
            worstCentroidPx = Math.max(worstCentroidPx, Math.hypot(dx, dy));
            worstGradient = Math.max(worstGradient, Math.abs(m.gradient() - scene.gradient()));
        }
        StringBuilder perShape = new StringBuilder();
        shapeHits.forEach((s, h) -> perShape.append(' ').append(s).append(' ').append(h[0]).append('/').append(h[1]));
        System.out.printf("clean %d scenes: colour %.3f, shape %.3f (%s), background %.3f, size class %.3f,"
                        + " worst area error %.3f, worst centroid %.2f px, area ranges %s%n", SCENES,
                (double) colourOk / SCENES, (double) shapeOk / SCENES, perShape.toString().trim(),
                (double) backgroundOk / SCENES, (double) sizeOk / SCENES, worstArea, worstCentroidPx,
                rangesToString(areaRange));
        assertTrue(colourOk >= 0.99 * SCENES, "colour " + colourOk);
        assertTrue(shapeOk >= 0.95 * SCENES, "shape " + shapeOk);
        assertEquals(SCENES, backgroundOk, "background");
        assertTrue(areaRange.get(Size.SMALL)[1] < areaRange.get(Size.MEDIUM)[0], "small vs medium areas overlap");
        assertTrue(areaRange.get(Size.MEDIUM)[1] < areaRange.get(Size.LARGE)[0], "medium vs large areas overlap");
        assertTrue(worstArea < 0.10, "area error " + worstArea);
        assertTrue(worstCentroidPx < 1.5, "centroid error " + worstCentroidPx);
        // read at the centres of the bottom and top bands, 4 rows each: 60 / 64 of the drawn change
        assertTrue(worstGradient < 0.02, "gradient error " + worstGradient);
    }

    private static String rangesToString(Map<Size, double[]> ranges) {
        StringBuilder sb = new StringBuilder();
        ranges.forEach((s, r) -> sb.append(String.format("%s [%.4f, %.4f] ", s, r[0], r[1])));
        return sb.toString().trim();
    }

    @Test
    void colourSurvivesNoiseAndBlur() {
        Random random = new Random(2);
        Random noise = new Random(3);
        int colourOk = 0;
        int shapeOk = 0;
        for (int k = 0; k < SCENES; k++) {
            ShapeScene scene = world.random(random);
            int[] degraded = degrade(world.render(scene), 1.0, 10, noise);
            Measurement m = ShapeMeasurer.measure(degraded, SIDE, SIDE);
            colourOk += m.colour() == scene.colour() ? 1 : 0;
            shapeOk += m.shape() == scene.shape() ? 1 : 0;
        }
        System.out.printf("blur 1 px + noise 10/255: colour %.3f, shape %.3f%n",
                (double) colourOk / SCENES, (double) shapeOk / SCENES);
        assertTrue(colourOk >= 0.97 * SCENES, "colour " + colourOk);
    }

    @Test
    void colourSurvivesAColourCastAndAHalo() {
        Random random = new Random(10);
        int colourOk = 0;
        int scenes = 200;
        for (int k = 0; k < scenes; k++) {
            ShapeScene scene = world.random(random);
            int[] argb = world.render(scene);
            // a cast of (+25, -15, +10) everywhere, and a faint grey halo two pixels wide
            Measurement clean = ShapeMeasurer.measure(argb, SIDE, SIDE);
            int[] shifted = new int[argb.length];
            for (int i = 0; i < argb.length; i++) {
                boolean halo = !clean.mask()[i] && nearMask(clean.mask(), i, 2);
                double[] rgb = ShapesWorld.rgb(argb[i]);
                int r = clamp(rgb[0] + 25 + (halo ? 40 : 0));
                int g = clamp(rgb[1] - 15 + (halo ? 40 : 0));
                int b = clamp(rgb[2] + 10 + (halo ? 40 : 0));
                shifted[i] = 0xFF000000 | r << 16 | g << 8 | b;
            }
            colourOk += ShapeMeasurer.measure(shifted, SIDE, SIDE).colour() == scene.colour() ? 1 : 0;
        }
        System.out.printf("colour cast and halo: colour %.3f%n", (double) colourOk / scenes);
        assertTrue(colourOk >= 0.97 * scenes, "colour " + colourOk);
    }

    private static boolean nearMask(boolean[] mask, int i, int radius) {
        int x = i % SIDE;
        int y = i / SIDE;
        for (int dy = -radius; dy <= radius; dy++) {
            for (int dx = -radius; dx <= radius; dx++) {
                int nx = x + dx;
                int ny = y + dy;
                if (nx >= 0 && ny >= 0 && nx < SIDE && ny < SIDE && mask[ny * SIDE + nx]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    @Test
    void greyShapeHasNoColourClass() {
        int[] argb = world.render(new ShapeScene(Shape.SQUARE, 0.18, Colour.RED, 0.5, 0.5, 0.02, 0, 0));
        for (int i = 0; i < argb.length; i++) {
            if (argb[i] != argb[0]) {
                int v = (int) Math.round(ShapesWorld.rgb(argb[i])[0] * 0.6);
                argb[i] = 0xFF000000 | v << 16 | v << 8 | v;
            }
        }
        Measurement m = ShapeMeasurer.measure(argb, SIDE, SIDE);
        assertTrue(m.found());
        assertEquals(Shape.SQUARE, m.shape());
        assertEquals(null, m.colour());
    }

    /** Gaussian blur of sigma px, then Gaussian noise of sigma noiseLevel (0-255) per channel. */
    private static int[] degrade(int[] argb, double blurPx, double noiseLevel, Random random) {
        double[][] planes = new double[3][argb.length];
        for (int i = 0; i < argb.length; i++) {
            double[] rgb = ShapesWorld.rgb(argb[i]);
            for (int c = 0; c < 3; c++) {
                planes[c][i] = rgb[c];
            }
        }
        int[] out = new int[argb.length];
        for (double[] p : planes) {
            ShapesWorld.gaussianBlur(p, SIDE, SIDE, blurPx);
        }
        for (int i = 0; i < argb.length; i++) {
            int v = 0xFF;
            for (int c = 0; c < 3; c++) {
                v = v << 8 | (int) Math.max(0, Math.min(255, Math.round(planes[c][i] + noiseLevel * random.nextGaussian())));
            }
            out[i] = v;
        }
        return out;
    }

    @Test
    void edgeBlurRisesWithTheTrueBlur() {
        sweep(VisualAttribute.BLUR, 0, VisualAttribute.BLUR.high());
    }

    @Test
    void outlineRisesWithTheTrueOutline() {
        sweep(VisualAttribute.OUTLINE, 0, VisualAttribute.OUTLINE.high());
    }

    private void sweep(VisualAttribute attribute, double low, double high) {
        Random random = new Random(4);
        int steps = 11;
        double worst = 1;
        for (int k = 0; k < SWEEPS; k++) {
            ShapeScene base = world.random(random);
            // a large shape keeps a fill inside the thickest outline
            base = new ShapeScene(base.shape(), Size.LARGE.min(), base.colour(), 0.5, 0.55, base.background(),
                    base.outline(), base.blur());
            double[] truth = new double[steps];
            double[] measured = new double[steps];
            for (int s = 0; s < steps; s++) {
                truth[s] = low + (high - low) * s / (steps - 1);
                ShapeScene scene = base.with(attribute, truth[s]);
                Measurement m = ShapeMeasurer.measure(world.render(scene), SIDE, SIDE);
                measured[s] = attribute == VisualAttribute.BLUR ? m.edgeBlur() : m.outline();
            }
            double rho = ShapeMeasurer.spearman(truth, measured);
            if (k < 3) {
                System.out.printf("%s sweep %s: truth px %s -> measured px %s%n", attribute, base,
                        px(truth), px(measured));
            }
            worst = Math.min(worst, rho);
        }
        System.out.printf("%s sweep: worst Spearman over %d scenes %.3f%n", attribute, SWEEPS, worst);
        assertTrue(worst > 0.95, attribute + " Spearman " + worst);
    }

    private static String px(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(String.format("%.2f ", d * SIDE));
        }
        return sb.toString().trim();
    }

    @Test
    void blankPictureHasNoShape() {
        int[] grey = new int[SIDE * SIDE];
        java.util.Arrays.fill(grey, 0xFF202020);
        Measurement m = ShapeMeasurer.measure(grey, SIDE, SIDE);
        assertFalse(m.found());
        assertEquals(Background.DARK, m.background());
        assertEquals(null, m.colour());
    }

    @Test
    void measuresAnyPictureSize() {
        ShapeScene scene = new ShapeScene(Shape.TRIANGLE, 0.15, Colour.MAGENTA, 0.5, 0.55, 0.95, 0.01, 0.005);
        Measurement m = ShapeMeasurer.measure(ShapesWorld.render(scene, 128, 96), 128, 96);
        assertEquals(Shape.TRIANGLE, m.shape());
        assertEquals(Colour.MAGENTA, m.colour());
        assertEquals(Background.LIGHT, m.background());
        assertEquals(scene.area() * 96 * 96 / (128 * 96), m.areaFraction(), 0.05 * m.areaFraction());
    }

    @Test
    void spearmanOfKnownValues() {
        assertEquals(1.0, ShapeMeasurer.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1.0, ShapeMeasurer.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        // ties: ranks x = 1, 2.5, 2.5, 4 and y = 1, 2, 3, 4 -> r = 4.5 / sqrt(4.5 * 5) = 0.9487
        assertEquals(Math.sqrt(0.9), ShapeMeasurer.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}), 1e-12);
        // x = 1..5, y = 2, 1, 4, 3, 5: sum d^2 = 4, rho = 1 - 6 * 4 / (5 * 24) = 0.8
        assertEquals(0.8, ShapeMeasurer.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), 1e-12);
    }

    @Test
    void iouOfKnownMasks() {
        boolean[] a = {true, true, false, false};
        boolean[] b = {false, true, true, false};
        assertEquals(1.0 / 3, ShapeMeasurer.iou(a, b), 1e-12);
        assertEquals(1.0, ShapeMeasurer.iou(a, a), 1e-12);
        assertEquals(1.0, ShapeMeasurer.iou(new boolean[3], new boolean[3]), 1e-12);
    }

    @Test
    void psnrOfKnownPictures() {
        int[] a = {0xFF000000, 0xFF000000};
        int[] b = {0xFF0A0A0A, 0xFF000000};
        // mse = 3 * 100 / 6 = 50 -> 10 log10(65025 / 50)
        assertEquals(10 * Math.log10(65025.0 / 50), ShapeMeasurer.psnr(a, b), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, ShapeMeasurer.psnr(a, a));
    }
}
