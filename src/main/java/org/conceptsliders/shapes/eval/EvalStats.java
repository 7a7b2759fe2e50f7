package org.conceptsliders.shapes.eval;

import org.conceptsliders.shapes.ShapeMeasurer;

/**
 * The statistics of {@link ShapesEvaluation}, pure functions of measured numbers. Rows are
 * seeds; columns are the levels a prompt or a slider asks for, in increasing order.
 */
public final class EvalStats {
    private EvalStats() {
    }

    /**
     * Share of the pairs of columns i < j, over all rows, whose values are strictly in order
     * (row[i] < row[j]): with the columns "small", "medium", "large" of one seed, how often two
     * size words give areas in the order they name. Three pairs a row for three columns.
     */
    public static double orderedPairs(double[][] rows) {
        int ordered = 0;
        int pairs = 0;
        for (double[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                for (int j = i + 1; j < row.length; j++) {
                    ordered += row[i] < row[j] ? 1 : 0;
                    pairs++;
                }
            }
        }
        return pairs == 0 ? Double.NaN : (double) ordered / pairs;
    }

    /** Share of rows whose values increase strictly from column to column. */
    public static double fullyOrdered(double[][] rows) {
        int ordered = 0;
        for (double[] row : rows) {
            boolean up = true;
            for (int i = 1; i < row.length; i++) {
                up &= row[i - 1] < row[i];
            }
            ordered += up ? 1 : 0;
        }
        return rows.length == 0 ? Double.NaN : (double) ordered / rows.length;
    }

    /**
     * Spearman's rho between {@code xs} and each row, averaged over rows. A constant row (a
     * slider that moves nothing, or no shape found at any scale) counts as rho 0.
     */
    public static double meanSpearman(double[] xs, double[][] rows) {
        double sum = 0;
        for (double[] row : rows) {
            double rho = ShapeMeasurer.spearman(xs, row);
            sum += Double.isNaN(rho) ? 0 : rho;
        }
        return rows.length == 0 ? Double.NaN : sum / rows.length;
    }

    /**
     * How much an attribute moves when composed with another slider, relative to alone: the mean
     * change from {@code base} with both sliders over the mean change with this slider alone, 1
     * when composition leaves it unchanged. Means first, so that seeds where the slider barely
     * moves do not blow up the ratio.
     */
    public static double changeRatio(double[] base, double[] alone, double[] both) {
        return effectRatio(base, alone, base, both);
    }

    /**
     * A slider's own effect when another slider is also on, over its effect alone:
     * (both - other alone) / (alone - base), means over seeds. Unlike {@link #changeRatio} it
     * leaves out what the other slider does to this attribute by itself.
     */
    public static double effectRatio(double[] base, double[] alone, double[] otherAlone, double[] both) {
        int n = base.length;
        if (n == 0 || alone.length != n || otherAlone.length != n || both.length != n) {
            throw new IllegalArgumentException("need equal non-empty arrays, got " + n + ", " + alone.length + ", "
                    + otherAlone.length + " and " + both.length);
        }
        return (mean(both) - mean(otherAlone)) / (mean(alone) - mean(base));
    }

    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }
}
