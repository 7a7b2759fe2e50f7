package org.conceptsliders.shapes.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loss curves of the training loops' logs ({@code step,loss,...} CSV, as {@code TrainingLoop}
 * writes them): the mean loss over consecutive windows of steps, plotted one line per log.
 * Single steps are too noisy to read (batches of 8 to 32 pictures at random timesteps).
 */
public final class TrainingCurves {
    private TrainingCurves() {
    }

    /**
     * {@code {window centres, mean losses}} of a loss log; a last window shorter than
     * {@code window} is dropped. Skipped steps (a non-finite loss) do not count.
     */
    public static double[][] windowMeans(Path csv, int window) throws IOException {
        if (window < 1) {
            throw new IllegalArgumentException("window: must be at least 1 step, got " + window);
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).startsWith("step,loss")) {
            throw new IOException(csv + ": not a loss log (its first line must be 'step,loss,...')");
        }
        int windows = (lines.size() - 1) / window;
        double[] xs = new double[windows];
        double[] ys = new double[windows];
        for (int w = 0; w < windows; w++) {
            double sum = 0;
            double stepSum = 0;
            int n = 0;
            for (int i = 1 + w * window; i <= (w + 1) * window; i++) {
                String[] cols = lines.get(i).split(",");
                double step;
                double loss;
                try {
                    step = Double.parseDouble(cols[0]);
                    loss = Double.parseDouble(cols[1]);
                } catch (RuntimeException e) {
                    throw new IOException(csv + ", line " + (i + 1) + ": expected 'step,loss,...', found '" + lines.get(i) + "'");
                }
                stepSum += step;
                if (Double.isFinite(loss)) {
                    sum += loss;
                    n++;
                }
            }
            xs[w] = stepSum / window;
            ys[w] = n > 0 ? sum / n : Double.NaN;
        }
        return new double[][] {xs, ys};
    }

    /** One PNG with a line per named log. */
    public static void plot(Path out, String title, Map<String, Path> logs, int window) throws IOException {
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : logs.entrySet()) {
            series.put(e.getKey(), windowMeans(e.getValue(), window));
        }
        EvalFigures.curves(out, title, "step", "mean loss over " + window + " steps", series);
    }
}
