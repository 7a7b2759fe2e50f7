package org.conceptsliders.shapes.eval;

import java.util.Locale;

/**
 * One number of an evaluation with the threshold it is judged by, reported rather than asserted:
 * a provisional model is expected to miss some.
 *
 * @param section   e.g. "prompt following"
 * @param name      what was measured
 * @param value     the number (percentages as 0-100)
 * @param unit      "%", "dB", "" ...
 * @param threshold the rule in words ("&gt;= 90"), empty when the number is for information only
 * @param passed    whether the value meets the threshold; null without one
 */
public record Metric(String section, String name, double value, String unit, String threshold, Boolean passed) {

    /** A number that should reach {@code min}. */
    public static Metric atLeast(String section, String name, double value, String unit, double min) {
        return new Metric(section, name, value, unit, ">= " + format(min), value >= min);
    }

    /** A number that should lie within {@code tolerance} (relative) of {@code target}. */
    public static Metric within(String section, String name, double value, double target, double tolerance) {
        return new Metric(section, name, value, "", format(target) + " ± " + format(100 * tolerance) + " %",
                Math.abs(value - target) <= tolerance * Math.abs(target));
    }

    /** A number reported without a threshold. */
    public static Metric info(String section, String name, double value, String unit) {
        return new Metric(section, name, value, unit, "", null);
    }

    /** The value as the report prints it: three significant decimals at most. */
    public String formatted() {
        return format(value) + (unit.isEmpty() ? "" : " " + unit);
    }

    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        String s = String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3g", v);
        return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
