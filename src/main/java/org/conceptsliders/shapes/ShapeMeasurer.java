package org.conceptsliders.shapes;

import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.shapes.ShapeScene.Size;

import java.util.Arrays;

/**
 * Reads a {@link ShapeScene}'s attributes back from a picture, which may be a generated one
 * with noise, halos and colour shifts; plus the rank correlation, IoU and PSNR that tests of
 * generated images and sliders use.
 *
 * <p>How, in order. The background is the per-channel median of the border pixels, shifted in
 * grey row by row along the line through the median grey levels of the top and bottom rows (a
 * background gradient; flat when there is none). A first
 * mask (pixels whose RGB distance to the background exceeds half its 99.5th percentile) gives
 * the fill colour: the mean of its core, the mask eroded to its deeper half (chamfer distance
 * at least half the deepest), which leaves out the outline ring and the blurred edge. Then each
 * pixel's <em>coverage</em> is its colour projected on the background-to-fill axis, 0 on the
 * background and 1 on the fill, linear across anti-aliased and blurred edges, 0.9-1 on the
 * outline ring (which the world draws farther from the background than the fill), and blind to
 * noise across the axis. The mask is the largest 8-connected component of coverage above 0.5,
 * holes filled; the fill colour is re-read from its core and classed by the nearest palette hue
 * (hue survives mixing with a grey background).
 *
 * <p>Area, centroid, edge and outline are soft sums over the pixels within 0.06 of the shorter
 * side (at least 3 px) of the mask, of the coverage mapped through symmetric dead zones,
 * c = (coverage - 0.15) / 0.7 clamped to [0, 1]: noise stays out, and a symmetric edge keeps
 * its area. The perimeter is the sum of |grad c| (the coarea formula: the mean length of the
 * level lines). Edge blur is sum c (1 - c) over the perimeter, divided by that integral for a
 * Gaussian edge of sigma 1. Outline: blends of background and fill lie on the RGB segment
 * between them, the ring does not; its thickness is the summed distance off that segment (0
 * below 30, 1 from 120 on, in 0-255 units) over the perimeter. The background's gradient is the
 * difference of the median grey levels of the bottom and the top rows outside the mask.
 *
 * <p>The shape class comes from moments of c, corrected for the measured blur (a Gaussian of
 * variance s² adds s² to each variance and leaves odd moments alone): an upward triangle's mass lies low (skewness of y -2 sqrt 2 / 5 = -0.57, the
 * others 0), and E[x²y²] / (E[x²] E[y²]) is 1 for a square (x and y independent), 2/3 for a
 * circle and 2/5 for a diamond.
 */
public final class ShapeMeasurer {

    /** Below this contrast (RGB distance, 0-441) at the 99.5th percentile there is no shape. */
    private static final double MIN_CONTRAST = 32;
    private static final double PEAK_QUANTILE = 0.995;
    /** Coverage below this (and above 1 minus it) counts as 0 (as 1): noise stays out of the sums. */
    private static final double DEAD_ZONE = 0.15;
    /**
     * The integral of c (1 - c) across a Gaussian edge of sigma 1, c being the coverage Phi(t)
     * with the dead zones cut off, (Phi - 0.15) / 0.7 clamped to [0, 1] (numerical quadrature).
     */
    private static final double TRANSITION_PER_SIGMA = 0.3209;
    /** A fill with less chroma (max - min channel, 0-255) has no hue to class: the palette's is 255. */
    private static final double MIN_CHROMA = 40;
    private static final double RING_FROM = 30;
    private static final double RING_FULL = 120;

    private ShapeMeasurer() {
    }

    /** Measures an opaque ARGB picture, row-major, {@code width x height}. */
    public static Measurement measure(int[] argb, int width, int height) {
        int n = width * height;
        if (width < 3 || height < 3 || argb.length != n) {
            throw new IllegalArgumentException("picture of " + argb.length + " pixels is not " + width + " x " + height
                    + " (at least 3 x 3)");
        }
        double[][] rgb = new double[n][];
        for (int i = 0; i < n; i++) {
            rgb[i] = ShapesWorld.rgb(argb[i]);
        }
        double[] bg = borderMedian(rgb, width, height);
        int bgArgb = toArgb(bg);
        Background bgClass = Background.of((bg[0] + bg[1] + bg[2]) / (3 * 255));
        double[][] rowBg = rowBackgrounds(rgb, bg, width, height);
        double[] contrast = new double[n];
        for (int i = 0; i < n; i++) {
            contrast[i] = distance(rgb[i], rowBg[i / width]);
        }
        double peak = quantile(contrast, PEAK_QUANTILE);
        if (peak < MIN_CONTRAST) {
            return empty(width, height, bgArgb, bgClass, gradient(rgb, new boolean[n], width, height, bgClass));
        }
        // first pass: the fill colour from the core of a rough mask
        double[] fill = mean(rgb, core(shapeMask(contrast, peak / 2, width, height), width, height));
        // second pass: coverage, the projection onto background -> fill, is 0 on the background, 1 on
        // the fill, linear across an anti-aliased or blurred edge, and near 1 on the outline ring
        double[] axis = {fill[0] - bg[0], fill[1] - bg[1], fill[2] - bg[2]};
        double axis2 = axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2];
        double[] coverage = new double[n];
        for (int i = 0; i < n; i++) {
            double[] b = rowBg[i / width];
            coverage[i] = ((rgb[i][0] - b[0]) * axis[0] + (rgb[i][1] - b[1]) * axis[1]
                    + (rgb[i][2] - b[2]) * axis[2]) / axis2;
        }
        boolean[] mask = shapeMask(coverage, 0.5, width, height);
        if (count(mask) == 0) {
            return empty(width, height, bgArgb, bgClass, gradient(rgb, mask, width, height, bgClass));
        }
        fill = mean(rgb, core(mask, width, height));

        // soft sums over the mask's surroundings, as far as a blurred edge reaches; the dead zones
        // keep noise out, and being symmetric they leave the area of a symmetric edge unchanged
        double unit = Math.min(width, height);
        double reach = Math.max(3, 0.06 * unit);
        double[] gap = chamfer(not(mask), width, height, Double.POSITIVE_INFINITY);
        double[] c = new double[n];
        double[] ringness = new double[n];
        for (int i = 0; i < n; i++) {
            if (gap[i] > reach) {
                continue;
            }
            double off = distanceToSegment(rgb[i], rowBg[i / width], fill);
            ringness[i] = Math.min(1, Math.max(0, (off - RING_FROM) / (RING_FULL - RING_FROM)));
            c[i] = Math.min(1, Math.max(0, (coverage[i] - DEAD_ZONE) / (1 - 2 * DEAD_ZONE)));
            // a ring pixel of the mask is shape even where its projection is short of 1 (a dark ring
            // on a shaded, darker background)
            c[i] = mask[i] ? Math.max(c[i], ringness[i]) : c[i];
        }
        double area = 0;
        double mx = 0;
        double my = 0;
        double transition = 0;
        double perimeter = 0;
        double ring = 0;
        for (int i = 0; i < n; i++) {
            if (gap[i] > reach) {
                continue;
            }
            int x = i % width;
            int y = i / width;
            area += c[i];
            mx += c[i] * (x + 0.5);
            my += c[i] * (y + 0.5);
            transition += c[i] * (1 - c[i]);
            // coarea formula: the integral of |grad c| is the mean length of the level lines
            double gx = (at(c, x + 1, y, width, height, 0) - at(c, x - 1, y, width, height, 0)) / 2;
            double gy = (at(c, x, y + 1, width, height, 0) - at(c, x, y - 1, width, height, 0)) / 2;
            perimeter += Math.hypot(gx, gy);
            ring += ringness[i];
        }
        mx /= area;
        my /= area;
        double sigma = transition / perimeter / TRANSITION_PER_SIGMA;

        double vxx = 0;
        double vyy = 0;
        double vxxyy = 0;
        double vyyy = 0;
        for (int i = 0; i < n; i++) {
            if (c[i] > 0) {
                double dx = i % width + 0.5 - mx;
                double dy = i / width + 0.5 - my;
                vxx += c[i] * dx * dx;
                vyy += c[i] * dy * dy;
                vxxyy += c[i] * dx * dx * dy * dy;
                vyyy += c[i] * dy * dy * dy;
            }
        }
        // undo the blur: a Gaussian of variance s2 adds s2 to each variance and leaves odd moments
        double s2 = sigma * sigma;
        vxx = vxx / area - s2;
        vyy = vyy / area - s2;
        vxxyy = vxxyy / area - s2 * (vxx + vyy) - s2 * s2;
        Shape shape = classify(vxxyy / (vxx * vyy), vyyy / area / Math.pow(vyy, 1.5));

        double size = Math.sqrt(area / Math.PI) / unit;
        return new Measurement(width, height, mask, bgArgb, bgClass, toArgb(fill), nearestHue(fill), shape,
                Size.of(size), area / n, size, mx / width, my / height, sigma / unit, ring / perimeter / unit,
                gradient(rgb, mask, width, height, bgClass));
    }

    /**
     * Spearman's rank correlation: the Pearson correlation of the ranks, tied values sharing the
     * mean of their ranks. NaN when either input is constant.
     */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("need two arrays of equal length >= 2, got " + x.length + " and " + y.length);
        }
        double[] rx = ranks(x);
        double[] ry = ranks(y);
        double mx = Arrays.stream(rx).average().orElseThrow();
        double my = Arrays.stream(ry).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < rx.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Intersection over union of two masks; 1 when both are empty. */
    public static double iou(boolean[] a, boolean[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("masks of " + a.length + " and " + b.length + " pixels");
        }
        int both = 0;
        int either = 0;
        for (int i = 0; i < a.length; i++) {
            both += a[i] && b[i] ? 1 : 0;
            either += a[i] || b[i] ? 1 : 0;
        }
        return either == 0 ? 1 : (double) both / either;
    }

    /** Peak signal-to-noise ratio (dB) over the RGB channels, peak 255; infinite for equal pictures. */
    public static double psnr(int[] a, int[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("pictures of " + a.length + " and " + b.length + " pixels");
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                double diff = (a[i] >> shift & 0xFF) - (b[i] >> shift & 0xFF);
                sum += diff * diff;
            }
        }
        double mse = sum / (3.0 * a.length);
        return 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** Splits the moments' values (see the class javadoc) half-way between the shapes'. */
    private static Shape classify(double crossRatio, double skewY) {
        if (skewY < -0.28) {
            return Shape.TRIANGLE;
        }
        if (crossRatio > 0.83) {
            return Shape.SQUARE;
        }
        return crossRatio > 0.53 ? Shape.CIRCLE : Shape.DIAMOND;
    }

    private static Colour nearestHue(double[] rgb) {
        double max = Math.max(rgb[0], Math.max(rgb[1], rgb[2]));
        double min = Math.min(rgb[0], Math.min(rgb[1], rgb[2]));
        double chroma = max - min;
        if (chroma < MIN_CHROMA) {
            return null;
        }
        double hue;
        if (max == rgb[0]) {
            hue = 60 * ((rgb[1] - rgb[2]) / chroma);
        } else if (max == rgb[1]) {
            hue = 60 * ((rgb[2] - rgb[0]) / chroma + 2);
        } else {
            hue = 60 * ((rgb[0] - rgb[1]) / chroma + 4);
        }
        Colour best = null;
        double bestGap = Double.POSITIVE_INFINITY;
        for (Colour c : Colour.values()) {
            double gap = Math.abs(((hue - c.hue()) % 360 + 540) % 360 - 180);
            if (gap < bestGap) {
                bestGap = gap;
                best = c;
            }
        }
        return best;
    }

    /** Largest 8-connected component above the threshold, holes filled. */
    private static boolean[] shapeMask(double[] contrast, double threshold, int width, int height) {
        int n = contrast.length;
        int[] label = new int[n];
        int best = 0;
        int bestSize = 0;
        int next = 0;
        // a stack of pixel indices; each pixel is pushed at most once per flood
        int[] stack = new int[n];
        int top = 0;
        for (int start = 0; start < n; start++) {
            if (contrast[start] <= threshold || label[start] != 0) {
                continue;
            }
            next++;
            int size = 0;
            label[start] = next;
            stack[top++] = start;
            while (top > 0) {
                int i = stack[--top];
                size++;
                int x = i % width;
                int y = i / width;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        int ny = y + dy;
                        if (nx >= 0 && ny >= 0 && nx < width && ny < height) {
                            int j = ny * width + nx;
                            if (label[j] == 0 && contrast[j] > threshold) {
                                label[j] = next;
                                stack[top++] = j;
                            }
                        }
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                best = next;
            }
        }
        // holes: what the border cannot reach through 4-connected non-shape pixels
        boolean[] outside = new boolean[n];
        for (int i = 0; i < n; i++) {
            int x = i % width;
            int y = i / width;
            boolean border = x == 0 || y == 0 || x == width - 1 || y == height - 1;
            if (border && label[i] != best) {
                outside[i] = true;
                stack[top++] = i;
            }
        }
        int[] step = {-1, 1, -width, width};
        while (top > 0) {
            int i = stack[--top];
            for (int s : step) {
                int j = i + s;
                boolean sameRowOrColumn = Math.abs(s) == width || j / width == i / width;
                if (j >= 0 && j < n && sameRowOrColumn && !outside[j] && label[j] != best) {
                    outside[j] = true;
                    stack[top++] = j;
                }
            }
        }
        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            mask[i] = best != 0 && !outside[i];
        }
        return mask;
    }

    /** The mask's pixels at least half as deep as its deepest. */
    private static boolean[] core(boolean[] mask, int width, int height) {
        double[] depth = chamfer(mask, width, height, 0);
        double deepest = Arrays.stream(depth).max().orElse(0);
        boolean[] core = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            core[i] = mask[i] && depth[i] >= Math.max(1, deepest / 2);
        }
        return core;
    }

    /**
     * Chamfer distance (steps 1 and sqrt 2) from each selected pixel to the nearest unselected
     * one, 0 on unselected pixels; {@code beyond} is the distance of the pixels past the border
     * (0: the outside is unselected, infinity: it does not count).
     */
    private static double[] chamfer(boolean[] selected, int width, int height, double beyond) {
        double[] dist = new double[selected.length];
        double diag = Math.sqrt(2);
        for (int i = 0; i < selected.length; i++) {
            dist[i] = selected[i] ? Double.POSITIVE_INFINITY : 0;
        }
        // a forward and a backward raster pass, each looking at the four neighbours already visited
        for (int dir = 1; dir >= -1; dir -= 2) {
            for (int k = 0; k < selected.length; k++) {
                int i = dir == 1 ? k : selected.length - 1 - k;
                if (!selected[i]) {
                    continue;
                }
                int x = i % width;
                int y = i / width;
                double best = dist[i];
                best = Math.min(best, at(dist, x - dir, y, width, height, beyond) + 1);
                best = Math.min(best, at(dist, x, y - dir, width, height, beyond) + 1);
                best = Math.min(best, at(dist, x - 1, y - dir, width, height, beyond) + diag);
                best = Math.min(best, at(dist, x + 1, y - dir, width, height, beyond) + diag);
                dist[i] = best;
            }
        }
        return dist;
    }

    private static double at(double[] dist, int x, int y, int width, int height, double beyond) {
        return x < 0 || y < 0 || x >= width || y >= height ? beyond : dist[y * width + x];
    }

    private static int count(boolean[] mask) {
        int count = 0;
        for (boolean m : mask) {
            count += m ? 1 : 0;
        }
        return count;
    }

    private static boolean[] not(boolean[] mask) {
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = !mask[i];
        }
        return out;
    }

    private static double[] borderMedian(double[][] rgb, int width, int height) {
        int count = 2 * width + 2 * height - 4;
        double[][] channels = new double[3][count];
        int k = 0;
        for (int i = 0; i < rgb.length; i++) {
            int x = i % width;
            int y = i / width;
            if (x == 0 || y == 0 || x == width - 1 || y == height - 1) {
                for (int c = 0; c < 3; c++) {
                    channels[c][k] = rgb[i][c];
                }
                k++;
            }
        }
        return new double[] {quantile(channels[0], 0.5), quantile(channels[1], 0.5), quantile(channels[2], 0.5)};
    }

    private static double[] mean(double[][] rgb, boolean[] where) {
        double[] sum = new double[3];
        int count = 0;
        for (int i = 0; i < rgb.length; i++) {
            if (where[i]) {
                for (int c = 0; c < 3; c++) {
                    sum[c] += rgb[i][c];
                }
                count++;
            }
        }
        for (int c = 0; c < 3; c++) {
            sum[c] /= count;
        }
        return sum;
    }

    /** Linear-interpolated quantile, q in [0, 1]. */
    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] ranks = new double[v.length];
        for (int start = 0; start < v.length; ) {
            int end = start;
            while (end + 1 < v.length && v[order[end + 1]] == v[order[start]]) {
                end++;
            }
            double shared = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = shared;
            }
            start = end + 1;
        }
        return ranks;
    }

    private static double distance(double[] a, double[] b) {
        double dr = a[0] - b[0];
        double dg = a[1] - b[1];
        double db = a[2] - b[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static double distanceToSegment(double[] p, double[] a, double[] b) {
        double[] ab = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
        double len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
        double t = len2 == 0 ? 0
                : ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1] + (p[2] - a[2]) * ab[2]) / len2;
        t = Math.max(0, Math.min(1, t));
        return distance(p, new double[] {a[0] + t * ab[0], a[1] + t * ab[1], a[2] + t * ab[2]});
    }

    private static int toArgb(double[] rgb) {
        int r = (int) Math.round(Math.max(0, Math.min(255, rgb[0])));
        int g = (int) Math.round(Math.max(0, Math.min(255, rgb[1])));
        int b = (int) Math.round(Math.max(0, Math.min(255, rgb[2])));
        return 0xFF000000 | r << 16 | g << 8 | b;
    }

    private static Measurement empty(int width, int height, int bgArgb, Background bgClass, double gradient) {
        return new Measurement(width, height, new boolean[width * height], bgArgb, bgClass, bgArgb, null, null, null,
                0, 0, 0, 0, 0, 0, gradient);
    }

    /**
     * The background's shading: the median grey level of the bottom band of rows (1/16 of the
     * height, at least one row) minus the top band's, outside the mask, signed so that a change
     * towards the other extreme (darker on a light background) is positive; in [-1, 1].
     */
    private static double gradient(double[][] rgb, boolean[] mask, int width, int height, Background bgClass) {
        int band = band(height);
        double towards = bgClass == Background.DARK ? 1 : -1;
        return towards * (bandLevel(rgb, mask, width, height - band, height) - bandLevel(rgb, mask, width, 0, band)) / 255;
    }

    /**
     * The background colour of each row: the border median shifted in grey by a line through the
     * median grey levels of the top and the bottom band (at their centres), which follows a
     * background gradient and is flat on a flat background.
     */
    private static double[][] rowBackgrounds(double[][] rgb, double[] bg, int width, int height) {
        int band = band(height);
        boolean[] none = new boolean[rgb.length];
        double top = bandLevel(rgb, none, width, 0, band);
        double bottom = bandLevel(rgb, none, width, height - band, height);
        double grey = (bg[0] + bg[1] + bg[2]) / 3;
        double centre = (band - 1) / 2.0;
        double[][] rows = new double[height][];
        for (int y = 0; y < height; y++) {
            double along = height - band > 0 ? Math.max(0, Math.min(1, (y - centre) / (height - band))) : 0.5;
            double shift = top + along * (bottom - top) - grey;
            rows[y] = new double[] {bg[0] + shift, bg[1] + shift, bg[2] + shift};
        }
        return rows;
    }

    private static int band(int height) {
        return Math.max(1, Math.round(height / 16f));
    }

    /** Median grey level of rows [from, to) outside the mask; of all of them when the mask covers the band. */
    private static double bandLevel(double[][] rgb, boolean[] mask, int width, int from, int to) {
        double[] all = new double[(to - from) * width];
        double[] outside = new double[all.length];
        int k = 0;
        for (int i = from * width; i < to * width; i++) {
            double grey = (rgb[i][0] + rgb[i][1] + rgb[i][2]) / 3;
            all[i - from * width] = grey;
            if (!mask[i]) {
                outside[k++] = grey;
            }
        }
        return quantile(k > 0 ? Arrays.copyOf(outside, k) : all, 0.5);
    }
}
