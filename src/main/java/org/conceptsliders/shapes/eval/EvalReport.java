package org.conceptsliders.shapes.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ShapesEvaluation} found: the settings, the {@link Metric}s with their thresholds,
 * per-seed details, and the plots and grids to draw. {@link #write} puts it all into one folder:
 * {@code eval.json}, {@code eval.md} and one PNG per plot and grid.
 */
public final class EvalReport {
    /** A plot of an attribute against slider scale; see {@link EvalFigures#plot}. */
    public record Plot(String title, String yLabel, double[] scales, double[][] rows) {
    }

    /** A grid of pictures; see {@link EvalFigures#grid}. */
    public record Grid(List<List<int[]>> rows, int width, int height, List<String> columnLabels, List<String> rowLabels) {
    }

    /** Grids enlarge 64 px pictures this many times. */
    public static final int ZOOM = 3;

    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<Metric> metrics = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();
    private final Map<String, Plot> plots = new LinkedHashMap<>();
    private final Map<String, Grid> grids = new LinkedHashMap<>();

    void setting(String key, Object value) {
        settings.put(key, value);
    }

    void add(Metric m) {
        metrics.add(m);
    }

    void detail(String key, Object value) {
        details.put(key, value);
    }

    void plot(String name, Plot p) {
        plots.put(name, p);
    }

    void grid(String name, Grid g) {
        grids.put(name, g);
    }

    public List<Metric> metrics() {
        return Collections.unmodifiableList(metrics);
    }

    /** The plots by file name (without ".png"). */
    public Map<String, Plot> plots() {
        return Collections.unmodifiableMap(plots);
    }

    /** The grids by file name (without ".png"). */
    public Map<String, Grid> grids() {
        return Collections.unmodifiableMap(grids);
    }

    /** Writes eval.json, eval.md and the PNGs into {@code dir} (created if needed); returns the files. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Path json = dir.resolve("eval.json");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("settings", settings);
        root.put("metrics", metrics);
        root.put("details", details);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), root);
        files.add(json);
        Path md = dir.resolve("eval.md");
        Files.writeString(md, markdown(), StandardCharsets.UTF_8);
        files.add(md);
        for (Map.Entry<String, Plot> e : plots.entrySet()) {
            Path f = dir.resolve(e.getKey() + ".png");
            Plot p = e.getValue();
            EvalFigures.plot(f, p.title(), "slider scale", p.yLabel(), p.scales(), p.rows());
            files.add(f);
        }
        for (Map.Entry<String, Grid> e : grids.entrySet()) {
            Path f = dir.resolve(e.getKey() + ".png");
            Grid g = e.getValue();
            EvalFigures.grid(f, g.rows(), g.width(), g.height(), ZOOM, g.columnLabels(), g.rowLabels());
            files.add(f);
        }
        return files;
    }

    /** The settings as a list and the metrics as a table (section, metric, value, threshold, pass). */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# Shapes-world evaluation\n\n");
        settings.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\n| section | metric | value | threshold | pass |\n|---|---|---|---|---|\n");
        for (Metric m : metrics) {
            sb.append("| ").append(m.section()).append(" | ").append(m.name()).append(" | ").append(m.formatted())
                    .append(" | ").append(m.threshold()).append(" | ")
                    .append(m.passed() == null ? "" : m.passed() ? "yes" : "**no**").append(" |\n");
        }
        if (!plots.isEmpty() || !grids.isEmpty()) {
            sb.append('\n');
            plots.keySet().forEach(k -> sb.append("![").append(k).append("](").append(k).append(".png)\n"));
            grids.keySet().forEach(k -> sb.append("![").append(k).append("](").append(k).append(".png)\n"));
        }
        return sb.toString();
    }
}
