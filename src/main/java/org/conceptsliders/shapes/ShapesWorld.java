package org.conceptsliders.shapes;

import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.shapes.ShapeScene.Size;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * The shapes world: random {@link ShapeScene}s, their pictures and their captions, the data on
 * which the project's embedded tiny text-to-image model is trained and against which
 * {@link ShapeMeasurer} checks generated images.
 *
 * <p>Pictures are opaque ARGB ints, row-major, anti-aliased by 4 x 4 supersampling. The outline
 * ring contrasts with the background: on a dark background it is the fill mixed half-and-half
 * with white, on a light one the fill darkened to 40 %; either way it keeps the fill's hue and
 * stands out from the background more than the fill does.
 *
 * <p>Captions read "a large red circle on a white background": "a [size] [colour] shape-word
 * [on a background-word background]". Of the non-empty captions, 70 % name the size, 70 % the
 * colour, 60 % or 90 % the background ({@link Version}), and 80 % the shape (the others say
 * "shape"); one caption in ten is empty (for classifier-free guidance). The outline, the blur and
 * the gradient are never named. Every caption word is in {@link #VOCABULARY}, and every one of
 * those is a single token of CLIP's vocabulary.
 */
public final class ShapesWorld {

    /**
     * The two worlds the embedded model learnt, in this order: its base model on {@link #FLAT},
     * then a fine-tuning on {@link #GRADIENT}. A recipe names its world, so either stage rebuilds
     * from the same seed.
     */
    public enum Version {
        /** Flat backgrounds; captions name the background in 60 %. */
        FLAT(false, 0.6),
        /**
         * A background gradient, which no caption names, drawn over {@link VisualAttribute#GRADIENT}'s
         * range in every scene; captions name the background in 90 % (at 60 % a model trained on it
         * followed the background word in 60 % of images, at 90 % in 100 %: docs/embedded-model.md).
         */
        GRADIENT(true, 0.9);

        private final boolean gradients;
        private final double keepBackground;

        Version(boolean gradients, double keepBackground) {
            this.gradients = gradients;
            this.keepBackground = keepBackground;
        }
    }

    /** One training example: a scene, its caption and its picture. */
    public record Sample(ShapeScene scene, String caption, int[] argb, int width, int height) {
    }

    /** The same scene rendered twice, differing only in one {@link VisualAttribute}. */
    public record Pair(ShapeScene low, ShapeScene high, int[] lowArgb, int[] highArgb, int width, int height) {
    }

    /** Every word a caption may contain. */
    public static final SortedSet<String> VOCABULARY;

    static {
        TreeSet<String> words = new TreeSet<>(List.of("a", "on", "background", "shape"));
        for (Shape s : Shape.values()) {
            words.add(s.word());
        }
        for (Colour c : Colour.values()) {
            words.add(c.word());
        }
        for (Size s : Size.values()) {
            words.add(s.word());
        }
        for (Background b : Background.values()) {
            words.add(b.word());
        }
        VOCABULARY = Collections.unmodifiableSortedSet(words);
    }

    /** Share of empty captions. */
    public static final double EMPTY_CAPTION = 0.10;
    /** How often a caption keeps the size and the colour; how often it names the shape. */
    private static final double KEEP_SIZE = 0.7;
    private static final double KEEP_COLOUR = 0.7;
    private static final double NAME_SHAPE = 0.8;

    /** Outline thickness is drawn up to this fraction of the size, so that a fill always remains. */
    private static final double OUTLINE_PER_SIZE = 0.3;
    /** Blur is drawn up to this share of {@link VisualAttribute#high()}. */
    private static final double BLUR_DRAWN = 0.8;
    /** Gap kept between a shape and the image border (fraction of the side). */
    private static final double MARGIN = 0.04;
    private static final int SUPERSAMPLING = 4;

    private static final double SQRT_PI = Math.sqrt(Math.PI);
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

    private final int width;
    private final int height;
    private final Version version;

    /** The {@link Version#GRADIENT} world, whose pictures are 64 x 64. */
    public ShapesWorld() {
        this(64, 64);
    }

    /** The {@link Version#GRADIENT} world, whose {@link #sample} and {@link #pair} pictures are {@code width x height}. */
    public ShapesWorld(int width, int height) {
        this(width, height, Version.GRADIENT);
    }

    public ShapesWorld(int width, int height, Version version) {
        checkSize(width, height);
        this.width = width;
        this.height = height;
        this.version = Objects.requireNonNull(version, "version");
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * A scene drawn uniformly: shape, size class then size within it, colour, background class
     * then level within it, outline up to 0.3 size (at most {@link VisualAttribute#OUTLINE}'s
     * max), blur up to 0.8 of {@link VisualAttribute#BLUR}'s max, a centroid that keeps the
     * whole shape 0.04 inside the border, and in the {@link Version#GRADIENT} world a background gradient over
     * {@link VisualAttribute#GRADIENT}'s range.
     */
    public ShapeScene random(Random random) {
        Shape shape = pick(Shape.values(), random);
        Size sizeClass = pick(Size.values(), random);
        double size = uniform(random, sizeClass.min(), sizeClass.max());
        Colour colour = pick(Colour.values(), random);
        Background bg = pick(Background.values(), random);
        double level = uniform(random, bg.min(), bg.max());
        double outline = random.nextDouble() * Math.min(VisualAttribute.OUTLINE.high(), OUTLINE_PER_SIZE * size);
        double blur = random.nextDouble() * BLUR_DRAWN * VisualAttribute.BLUR.high();
        double[] e = extents(shape);
        double x = uniform(random, e[0] * size + MARGIN, 1 - e[0] * size - MARGIN);
        double y = uniform(random, e[1] * size + MARGIN, 1 - e[2] * size - MARGIN);
        // the flat world draws nothing here, so that its scenes stay those its model was trained on
        double gradient = version.gradients
                ? uniform(random, VisualAttribute.GRADIENT.low(), VisualAttribute.GRADIENT.high()) : 0;
        return new ShapeScene(shape, size, colour, x, y, level, outline, blur, gradient);
    }

    /** A random scene with its caption and picture, all from {@code random}. */
    public Sample sample(Random random) {
        ShapeScene scene = random(random);
        return new Sample(scene, caption(scene, random), render(scene, width, height), width, height);
    }

    /**
     * A caption of the scene, e.g. "a large red circle on a white background", with parts left
     * out at random; empty with probability {@link #EMPTY_CAPTION}.
     */
    public String caption(ShapeScene scene, Random random) {
        if (random.nextDouble() < EMPTY_CAPTION) {
            return "";
        }
        StringJoiner words = new StringJoiner(" ");
        words.add("a");
        if (random.nextDouble() < KEEP_SIZE) {
            words.add(scene.sizeClass().word());
        }
        if (random.nextDouble() < KEEP_COLOUR) {
            words.add(scene.colour().word());
        }
        words.add(random.nextDouble() < NAME_SHAPE ? scene.shape().word() : "shape");
        if (random.nextDouble() < version.keepBackground) {
            words.add("on a " + scene.backgroundClass().word() + " background");
        }
        return words.toString();
    }

    /** {@link #pair(ShapeScene, VisualAttribute, double, double)} at this world's picture size. */
    public Pair pair(ShapeScene scene, VisualAttribute attribute, double low, double high) {
        ShapeScene lo = scene.with(attribute, low);
        ShapeScene hi = scene.with(attribute, high);
        return new Pair(lo, hi, render(lo, width, height), render(hi, width, height), width, height);
    }

    /** The scene at this world's picture size. */
    public int[] render(ShapeScene scene) {
        return render(scene, width, height);
    }

    /** The scene as opaque ARGB pixels, row-major, {@code width x height}. */
    public static int[] render(ShapeScene scene, int width, int height) {
        checkSize(width, height);
        double unit = Math.min(width, height);
        double cx = scene.x() * width;
        double cy = scene.y() * height;
        double r = scene.size() * unit;
        double ring = scene.outline() * unit;
        double[] bgRows = backgroundRows(scene, height);
        double[] fill = rgb(scene.colour().argb());
        double[] edge = outlineColour(fill, scene.background());

        double[][] planes = new double[3][width * height];
        for (double[] p : planes) {
            for (int y = 0; y < height; y++) {
                Arrays.fill(p, y * width, (y + 1) * width, bgRows[y]);
            }
        }
        double[] e = extents(scene.shape());
        int x0 = Math.max(0, (int) Math.floor(cx - e[0] * r) - 1);
        int x1 = Math.min(width - 1, (int) Math.ceil(cx + e[0] * r) + 1);
        int y0 = Math.max(0, (int) Math.floor(cy - e[1] * r) - 1);
        int y1 = Math.min(height - 1, (int) Math.ceil(cy + e[2] * r) + 1);
        int n = SUPERSAMPLING * SUPERSAMPLING;
        for (int py = y0; py <= y1; py++) {
            double bg = bgRows[py];
            for (int px = x0; px <= x1; px++) {
                int inFill = 0;
                int inRing = 0;
                for (int sy = 0; sy < SUPERSAMPLING; sy++) {
                    for (int sx = 0; sx < SUPERSAMPLING; sx++) {
                        double d = depth(scene.shape(),
                                px + (sx + 0.5) / SUPERSAMPLING - cx, py + (sy + 0.5) / SUPERSAMPLING - cy, r);
                        if (d > ring) {
                            inFill++;
                        } else if (d > 0) {
                            inRing++;
                        }
                    }
                }
                int i = py * width + px;
                for (int c = 0; c < 3; c++) {
                    planes[c][i] = (inFill * fill[c] + inRing * edge[c] + (n - inFill - inRing) * bg) / n;
                }
            }
        }
        double sigma = scene.blur() * unit;
        int[] argb = new int[width * height];
        for (int c = 0; c < 3; c++) {
            gaussianBlur(planes[c], width, height, sigma);
        }
        for (int i = 0; i < argb.length; i++) {
            argb[i] = 0xFF000000 | channel(planes[0][i]) << 16 | channel(planes[1][i]) << 8 | channel(planes[2][i]);
        }
        return argb;
    }

    /**
     * The background's grey level (0-255) of each row: the level, shaded by the gradient towards
     * the other extreme, from 0 at one edge to |gradient| at the other (rows sampled at their centres).
     */
    static double[] backgroundRows(ShapeScene scene, int height) {
        double towards = Background.of(scene.background()) == Background.DARK ? 1 : -1;
        double g = scene.gradient();
        double[] rows = new double[height];
        for (int y = 0; y < height; y++) {
            double down = (y + 0.5) / height;
            double shade = g >= 0 ? g * down : -g * (1 - down);
            rows[y] = (scene.background() + towards * shade) * 255;
        }
        return rows;
    }

    /**
     * How far (px) a point at offset (dx, dy) from the centroid lies inside the shape of
     * equivalent radius r: positive inside, the distance to the nearest edge; negative outside.
     * For the convex polygons the distance to the boundary of an inside point is the smallest
     * distance to an edge's line.
     */
    static double depth(Shape shape, double dx, double dy, double r) {
        double ax = Math.abs(dx);
        return switch (shape) {
            case CIRCLE -> r - Math.hypot(dx, dy);
            case SQUARE -> SQRT_PI / 2 * r - Math.max(ax, Math.abs(dy));
            case DIAMOND -> (SQRT_2PI / 2 * r - ax - Math.abs(dy)) / Math.sqrt(2);
            case TRIANGLE -> {
                // base = height = b, area b^2/2 = pi r^2; apex b*2/3 above the centroid, base b/3 below
                double b = SQRT_2PI * r;
                yield Math.min(b / 3 - dy, (dy + 2 * b / 3 - 2 * ax) / Math.sqrt(5));
            }
        };
    }

    /** Half-width, extent above and extent below the centroid, in units of the size. */
    private static double[] extents(Shape shape) {
        return switch (shape) {
            case CIRCLE -> new double[] {1, 1, 1};
            case SQUARE -> new double[] {SQRT_PI / 2, SQRT_PI / 2, SQRT_PI / 2};
            case DIAMOND -> new double[] {SQRT_2PI / 2, SQRT_2PI / 2, SQRT_2PI / 2};
            case TRIANGLE -> new double[] {SQRT_2PI / 2, SQRT_2PI * 2 / 3, SQRT_2PI / 3};
        };
    }

    /** The ring's colour: towards white on a dark background, darkened on a light one. */
    private static double[] outlineColour(double[] fill, double background) {
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            out[c] = Background.of(background) == Background.DARK ? (fill[c] + 255) / 2 : 0.4 * fill[c];
        }
        return out;
    }

    /** Separable Gaussian blur in place, sigma in px, truncated at 3 sigma, edges clamped. */
    static void gaussianBlur(double[] plane, int width, int height, double sigma) {
        if (sigma < 1e-3) {
            return;
        }
        int radius = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        double[] tmp = new double[plane.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double acc = 0;
                for (int i = -radius; i <= radius; i++) {
                    acc += k[i + radius] * plane[y * width + Math.min(width - 1, Math.max(0, x + i))];
                }
                tmp[y * width + x] = acc;
            }
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double acc = 0;
                for (int i = -radius; i <= radius; i++) {
                    acc += k[i + radius] * tmp[Math.min(height - 1, Math.max(0, y + i)) * width + x];
                }
                plane[y * width + x] = acc;
            }
        }
    }

    static double[] rgb(int argb) {
        return new double[] {argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF};
    }

    private static int channel(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static void checkSize(int width, int height) {
        if (width < 8 || height < 8) {
            throw new IllegalArgumentException("picture size " + width + " x " + height + ", expected at least 8 x 8");
        }
    }

    private static <T> T pick(T[] values, Random random) {
        return values[random.nextInt(values.length)];
    }

    private static double uniform(Random random, double min, double max) {
        return min + random.nextDouble() * (max - min);
    }
}
