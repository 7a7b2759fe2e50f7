package org.conceptsliders.shapes;

import java.util.Locale;

/**
 * The true attributes of one picture of the shapes world: one filled shape on a plain grey
 * background.
 *
 * <p>Units. Positions are fractions of the image's width ({@code x}) and height ({@code y});
 * every length ({@code size}, {@code outline}, {@code blur}) is a fraction of the image's
 * shorter side, so that a scene renders alike at any resolution. At the default 64 x 64 one
 * pixel is 1/64 = 0.0156.
 *
 * <p>Geometry. {@code size} is the <em>equivalent radius</em>: every shape of a given size has
 * the area of the circle of that radius, pi size², so that size words mean the same area for
 * every shape. ({@code x}, {@code y}) is the shape's centroid (centre of mass).
 *
 * <p>Caption-less attributes, which captions never mention and visual sliders learn from image
 * pairs ({@link VisualAttribute}): {@code outline}, the thickness of a contrasting ring drawn
 * inside the shape's edge (the silhouette does not change), {@code blur}, the sigma of a
 * Gaussian blur of the whole picture, and {@code gradient}, a shading of the background from one
 * edge to the other (the shape is not shaded).
 *
 * @param shape      the shape class
 * @param size       equivalent radius (fraction of the shorter side), in (0, 0.5]
 * @param colour     the fill colour
 * @param x          centroid x, fraction of the width, in [0, 1]
 * @param y          centroid y, fraction of the height, in [0, 1]
 * @param background grey level of the background, 0 black to 1 white
 * @param outline    thickness of the outline ring (fraction of the shorter side), >= 0
 * @param blur       sigma of the Gaussian edge blur (fraction of the shorter side), >= 0
 * @param gradient   shading of the background, in [-0.5, 0.5]: the grey level moves towards the
 *                   other extreme (a light background darkens, a dark one lightens) linearly from
 *                   nothing at one edge to |gradient| at the opposite one, the bottom edge for
 *                   positive values and the top edge for negative ones; 0 is a flat background
 */
public record ShapeScene(Shape shape, double size, Colour colour, double x, double y, double background,
                         double outline, double blur, double gradient) {

    public ShapeScene {
        if (shape == null || colour == null) {
            throw new IllegalArgumentException("shape and colour are required");
        }
        check("size", size, Math.ulp(0.0), 0.5);
        check("x", x, 0, 1);
        check("y", y, 0, 1);
        check("background", background, 0, 1);
        check("outline", outline, 0, 0.5);
        check("blur", blur, 0, 0.5);
        check("gradient", gradient, -0.5, 0.5);
    }

    /** A scene on a flat background. */
    public ShapeScene(Shape shape, double size, Colour colour, double x, double y, double background,
                      double outline, double blur) {
        this(shape, size, colour, x, y, background, outline, blur, 0);
    }

    private static void check(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " = " + value + ", expected a value in [" + min + ", " + max + "]");
        }
    }

    /** The shape's area, pi size², in units of the shorter side squared. */
    public double area() {
        return Math.PI * size * size;
    }

    public Size sizeClass() {
        return Size.of(size);
    }

    public Background backgroundClass() {
        return Background.of(background);
    }

    /** The same scene with one caption-less attribute changed. */
    public ShapeScene with(VisualAttribute attribute, double value) {
        return switch (attribute) {
            case OUTLINE -> new ShapeScene(shape, size, colour, x, y, background, value, blur, gradient);
            case BLUR -> new ShapeScene(shape, size, colour, x, y, background, outline, value, gradient);
            case POSITION -> new ShapeScene(shape, size, colour, value, y, background, outline, blur, gradient);
            case GRADIENT -> new ShapeScene(shape, size, colour, x, y, background, outline, blur, value);
        };
    }

    /** The value of one caption-less attribute. */
    public double get(VisualAttribute attribute) {
        return switch (attribute) {
            case OUTLINE -> outline;
            case BLUR -> blur;
            case POSITION -> x;
            case GRADIENT -> gradient;
        };
    }

    /**
     * Shape classes, told apart at 64 px by their silhouettes. All are axis-aligned; the
     * triangle points up and its base equals its height; the diamond is a square turned 45°.
     * Caption word: the lower-case name.
     */
    public enum Shape {
        CIRCLE, SQUARE, TRIANGLE, DIAMOND;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The palette: six saturated colours 60° apart in hue, so that a colour mixed with a grey
     * background (anti-aliasing, blur, the outline ring, a model's haze) keeps its hue and a
     * measurer tells them apart by the nearest hue. Caption word: the lower-case name; AQUA is
     * CSS aqua, i.e. cyan, because "cyan" is not one token of CLIP's vocabulary.
     */
    public enum Colour {
        RED(255, 0, 0, 0),
        YELLOW(255, 255, 0, 60),
        GREEN(0, 255, 0, 120),
        AQUA(0, 255, 255, 180),
        BLUE(0, 0, 255, 240),
        MAGENTA(255, 0, 255, 300);

        private final int r;
        private final int g;
        private final int b;
        private final double hue;

        Colour(int r, int g, int b, double hue) {
            this.r = r;
            this.g = g;
            this.b = b;
            this.hue = hue;
        }

        /** Opaque ARGB. */
        public int argb() {
            return 0xFF000000 | r << 16 | g << 8 | b;
        }

        /** HSV hue in degrees. */
        public double hue() {
            return hue;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Size classes of the equivalent radius (fraction of the shorter side). The ranges leave
     * gaps (area ratio 1.6 between small and medium, 1.4 between medium and large) so that a
     * measured area falls clearly in one class; a measured radius is classed by the middles of
     * the gaps, {@link #of(double)}. At 64 px: small 4.5-6.1 px, medium 7.7-9.3 px, large
     * 10.9-12.8 px.
     */
    public enum Size {
        SMALL(0.07, 0.095),
        MEDIUM(0.12, 0.145),
        LARGE(0.17, 0.20);

        private final double min;
        private final double max;

        Size(double min, double max) {
            this.min = min;
            this.max = max;
        }

        public double min() {
            return min;
        }

        public double max() {
            return max;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The class of an equivalent radius: split at the middles of the gaps between ranges. */
        public static Size of(double radius) {
            if (radius < (SMALL.max + MEDIUM.min) / 2) {
                return SMALL;
            }
            return radius < (MEDIUM.max + LARGE.min) / 2 ? MEDIUM : LARGE;
        }
    }

    /**
     * Background classes: near-black grey levels in [0, 0.12] (caption word "black") and
     * near-white ones in [0.88, 1] ("white"); a level is classed at 0.5.
     */
    public enum Background {
        DARK(0.0, 0.12, "black"),
        LIGHT(0.88, 1.0, "white");

        private final double min;
        private final double max;
        private final String word;

        Background(double min, double max, String word) {
            this.min = min;
            this.max = max;
            this.word = word;
        }

        public double min() {
            return min;
        }

        public double max() {
            return max;
        }

        public String word() {
            return word;
        }

        public static Background of(double level) {
            return level < 0.5 ? DARK : LIGHT;
        }
    }
}
