package dev.spindle.bench.report;

import java.util.Locale;

/** How the report prints numbers: a few significant digits, thousands grouped, a dash for no value. */
final class Figures {
    private Figures() {}

    /** A measured value with about three significant digits, e.g. {@code 1,234}, {@code 12.3}, {@code 0.0123}. */
    static String value(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        int decimals = Math.min(6, 2 - (int) Math.floor(Math.log10(a)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A score with its error, e.g. {@code 12.3 ± 4.56}; the error is left out when JMH had none. */
    static String withError(double score, double error) {
        return Double.isNaN(error) ? value(score) : value(score) + " ± " + value(error);
    }

    /** A ratio, e.g. {@code 2.3×}. */
    static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "–" : value(r) + "×";
    }

    /** Bytes per op: two decimals below 10 B, so that a zero-allocation path reads as {@code 0.00}. */
    static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "–";
        }
        return b < 10 ? String.format(Locale.ROOT, "%.2f", b) : value(b);
    }
}
