package org.conceptsliders.fiji;

import ij.Macro;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Typed reading of the text a macro or a dialog gives, the one place where the traps of macro
 * options are handled: {@code seed=7.0} is the integer 7 (7.5 is refused), a boolean is
 * {@code key=true|false} or the bare {@code key} (true), and a missing key takes its default.
 */
public final class Values {

    private final UnaryOperator<String> raw;

    private Values(UnaryOperator<String> raw) {
        this.raw = raw;
    }

    /** Values from ImageJ macro options ({@code "prompt=[a cat] seed=7 stack"}). */
    public static Values ofMacro(String options) {
        String o = options == null ? "" : options;
        return new Values(key -> {
            String v = Macro.getValue(o, key, null);
            return v == null && bareKeys(o).contains(key) ? "true" : v;
        });
    }

    public static Values of(Map<String, String> values) {
        return new Values(values::get);
    }

    public String text(Field f) {
        String v = raw.apply(f.key());
        return v == null ? f.dflt() : v;
    }

    public long integer(Field f) {
        return integer(f.key(), text(f));
    }

    public double number(Field f) {
        return number(f.key(), text(f));
    }

    public double[] numbers(Field f) {
        return numbers(f.key(), text(f));
    }

    public boolean flag(Field f) {
        String v = text(f).trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(f.key() + ": expected true or false, got '" + v + "'");
        }
        return v.equals("true");
    }

    /** An integer written as a number ("7", "7.0", "7e0"); fractions are refused, not rounded. */
    public static long integer(String key, String text) {
        try {
            return new BigDecimal(text.trim()).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + ": expected an integer, got '" + text + "'");
        }
    }

    public static long integer(String key, double value) {
        if (value != Math.rint(value) || Math.abs(value) > 1L << 53) {
            throw new IllegalArgumentException(key + ": expected an integer, got " + value);
        }
        return (long) value;
    }

    public static double number(String key, String text) {
        try {
            double v = Double.parseDouble(text.trim());
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": expected a number, got '" + text + "'");
    }

    /** A list of numbers separated by commas or spaces ("-2, -1, 0, 1, 2"); empty gives none. */
    public static double[] numbers(String key, String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new double[0];
        }
        return Arrays.stream(t.split("[,\\s]+")).mapToDouble(s -> number(key, s)).toArray();
    }

    public static String format(double v) {
        return org.conceptsliders.sliders.Labels.scale(v);
    }

    public static String format(double[] v) {
        return Arrays.stream(v).mapToObj(Values::format).collect(Collectors.joining(", "));
    }

    /** The words of {@code options} outside brackets that carry no '=': ImageJ's checked boxes. */
    private static List<String> bareKeys(String options) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int depth = 0;
        for (char c : (options + " ").toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth = Math.max(0, depth - 1);
            } else if (c == ' ' && depth == 0) {
                if (word.length() > 0 && word.indexOf("=") < 0) {
                    words.add(word.toString());
                }
                word.setLength(0);
                continue;
            }
            word.append(c);
        }
        return words;
    }
}
