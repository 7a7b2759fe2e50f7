package org.conceptsliders.shapes.eval;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The evaluation's pictures, drawn with java.awt and written as PNG: a line plot of an
 * attribute against slider scale (one thin line per seed, their mean bold), and a grid of
 * images (rows seeds, columns scales) enlarged by nearest neighbour so that 64 px pictures
 * stay crisp.
 */
public final class EvalFigures {
    private static final int PLOT_W = 560;
    private static final int PLOT_H = 380;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 52;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);

    private EvalFigures() {
    }

    /**
     * Plots {@code rows[s][i]} against {@code xs[i]} for each seed s, and the mean over seeds
     * bold in black; axes with tick labels, a title and axis labels.
     */
    public static void plot(Path file, String title, String xLabel, String yLabel, double[] xs, double[][] rows)
            throws IOException {
        for (double[] row : rows) {
            if (row.length != xs.length) {
                throw new IllegalArgumentException("a row has " + row.length + " values for " + xs.length + " scales");
            }
        }
        if (xs.length < 2) {
            throw new IllegalArgumentException("need at least two scales to plot, got " + xs.length);
        }
        double xMin = xs[0];
        double xMax = xs[xs.length - 1];
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (double[] row : rows) {
            for (double v : row) {
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
        }
        Axis x = new Axis(xMin, xMax, LEFT, PLOT_W - RIGHT);
        Axis y = yAxis(yMin, yMax);
        BufferedImage img = new BufferedImage(PLOT_W, PLOT_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        try {
            axes(g, x, y, xs, title, xLabel, yLabel);
            g.setStroke(new BasicStroke(1.3f));
            for (int s = 0; s < rows.length; s++) {
                g.setColor(Color.getHSBColor((float) s / Math.max(1, rows.length), 0.65f, 0.85f));
                line(g, x, y, xs, rows[s]);
            }
            double[] mean = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                for (double[] row : rows) {
                    mean[i] += row[i] / rows.length;
                }
            }
            if (rows.length > 0) {
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(3.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                line(g, x, y, xs, mean);
                g.setFont(FONT);
                g.drawString("bold: mean of " + rows.length + " seeds", LEFT + 8, TOP + 14);
            }
        } finally {
            g.dispose();
        }
        write(img, file);
    }

    /**
     * Named lines of points ({@code {xs, ys}} each, in order), coloured apart, with a legend and
     * round tick values on both axes: training curves.
     */
    public static void curves(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> series)
            throws IOException {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[] xs = e.getValue()[0];
            double[] ys = e.getValue()[1];
            if (xs.length != ys.length || xs.length < 2) {
                throw new IllegalArgumentException("curve '" + e.getKey() + "': needs as many y as x values, at least 2 ("
                        + xs.length + " x, " + ys.length + " y)");
            }
            for (int i = 0; i < xs.length; i++) {
                xMin = Math.min(xMin, xs[i]);
                xMax = Math.max(xMax, xs[i]);
                yMin = Math.min(yMin, ys[i]);
                yMax = Math.max(yMax, ys[i]);
            }
        }
        if (series.isEmpty() || !(xMax > xMin)) {
            throw new IllegalArgumentException("no curve spans more than one x value");
        }
        Axis x = new Axis(xMin, xMax, LEFT, PLOT_W - RIGHT);
        Axis y = yAxis(yMin, yMax);
        BufferedImage img = new BufferedImage(PLOT_W, PLOT_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        try {
            axes(g, x, y, x.ticks(), title, xLabel, yLabel);
            g.setFont(FONT);
            int legend = PLOT_W - RIGHT - 34 - series.keySet().stream().mapToInt(EvalFigures::textWidth).max().orElse(0);
            int s = 0;
            for (Map.Entry<String, double[][]> e : series.entrySet()) {
                Color c = Color.getHSBColor((float) s / series.size(), 0.75f, 0.8f);
                g.setColor(c);
                g.setStroke(new BasicStroke(1.6f));
                line(g, x, y, e.getValue()[0], e.getValue()[1]);
                int ly = TOP + 14 + 16 * s;
                g.drawLine(legend, ly - 4, legend + 20, ly - 4);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), legend + 26, ly);
                s++;
            }
        } finally {
            g.dispose();
        }
        write(img, file);
    }

    /**
     * A grid of same-size ARGB pictures, {@code zoom} x nearest neighbour, with the column labels
     * above and the row labels at the left.
     */
    public static void grid(Path file, List<List<int[]>> rows, int width, int height, int zoom,
                            List<String> columnLabels, List<String> rowLabels) throws IOException {
        if (rows.isEmpty() || zoom < 1) {
            throw new IllegalArgumentException("need at least one row and zoom >= 1, got " + rows.size() + " and " + zoom);
        }
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int gap = 4;
        int header = 20;
        int left = 12 + rowLabels.stream().mapToInt(EvalFigures::textWidth).max().orElse(0);
        int cw = width * zoom;
        int ch = height * zoom;
        BufferedImage img = new BufferedImage(left + columns * (cw + gap), header + rows.size() * (ch + gap),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(FONT);
            FontMetrics fm = g.getFontMetrics();
            for (int c = 0; c < columns && c < columnLabels.size(); c++) {
                String s = columnLabels.get(c);
                g.drawString(s, left + c * (cw + gap) + (cw - fm.stringWidth(s)) / 2, header - 6);
            }
            for (int r = 0; r < rows.size(); r++) {
                int top = header + r * (ch + gap);
                if (r < rowLabels.size()) {
                    g.drawString(rowLabels.get(r), 4, top + ch / 2 + fm.getAscent() / 2);
                }
                for (int c = 0; c < rows.get(r).size(); c++) {
                    int[] argb = rows.get(r).get(c);
                    if (argb.length != width * height) {
                        throw new IllegalArgumentException("picture " + r + "," + c + " has " + argb.length
                                + " pixels, expected " + width + "x" + height);
                    }
                    int x0 = left + c * (cw + gap);
                    for (int yy = 0; yy < ch; yy++) {
                        for (int xx = 0; xx < cw; xx++) {
                            img.setRGB(x0 + xx, top + yy, argb[yy / zoom * width + xx / zoom]);
                        }
                    }
                }
            }
        } finally {
            g.dispose();
        }
        write(img, file);
    }

    /** The y axis over [min, max] with 5 % room; a flat or empty range still gets a readable axis. */
    private static Axis yAxis(double min, double max) {
        if (!(max > min)) {
            double mid = Double.isFinite(min) ? min : 0;
            min = mid - 1;
            max = mid + 1;
        }
        double pad = 0.05 * (max - min);
        return new Axis(min - pad, max + pad, PLOT_H - BOTTOM, TOP);
    }

    /** A white canvas, anti-aliased; the caller disposes of it. */
    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void axes(Graphics2D g, Axis x, Axis y, double[] xTicks, String title, String xLabel, String yLabel) {
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double t : y.ticks()) {
            int py = y.pixel(t);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x.from, py, x.to, py);
            g.setColor(Color.DARK_GRAY);
            String s = Metric.format(t);
            g.drawString(s, x.from - 6 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        for (double t : xTicks) {
            int px = x.pixel(t);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(px, y.from, px, y.from + 5);
            String s = Metric.format(t);
            g.drawString(s, px - fm.stringWidth(s) / 2, y.from + 8 + fm.getAscent());
        }
        g.setColor(Color.BLACK);
        g.drawLine(x.from, y.from, x.to, y.from);
        g.drawLine(x.from, y.from, x.from, y.to);
        g.drawString(xLabel, (x.from + x.to - fm.stringWidth(xLabel)) / 2, PLOT_H - 10);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yLabel, -(y.from + y.to + fm.stringWidth(yLabel)) / 2, 16);
        r.dispose();
        g.setFont(TITLE);
        g.drawString(title, (PLOT_W - g.getFontMetrics().stringWidth(title)) / 2, 22);
    }

    private static void line(Graphics2D g, Axis x, Axis y, double[] xs, double[] ys) {
        for (int i = 1; i < xs.length; i++) {
            g.drawLine(x.pixel(xs[i - 1]), y.pixel(ys[i - 1]), x.pixel(xs[i]), y.pixel(ys[i]));
        }
    }

    private static int textWidth(String s) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(FONT).stringWidth(s);
        } finally {
            g.dispose();
        }
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    /** A linear map from [min, max] to the pixels [from, to] (to may be above from: y grows down). */
    private record Axis(double min, double max, int from, int to) {
        int pixel(double v) {
            return (int) Math.round(from + (v - min) / (max - min) * (to - from));
        }

        /** About five round tick values (1, 2 or 5 times a power of ten apart) inside [min, max]. */
        double[] ticks() {
            double raw = (max - min) / 5;
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / p < 1.5 ? p : raw / p < 3.5 ? 2 * p : raw / p < 7.5 ? 5 * p : 10 * p;
            double first = Math.ceil(min / step) * step;
            int n = (int) Math.floor((max - first) / step) + 1;
            double[] t = new double[Math.max(0, n)];
            for (int i = 0; i < t.length; i++) {
                t[i] = first + i * step;
            }
            return t;
        }
    }
}
