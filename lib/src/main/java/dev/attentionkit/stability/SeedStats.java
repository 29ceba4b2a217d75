package dev.attentionkit.stability;

import java.util.Arrays;
import java.util.Locale;

/** Mean and sample standard deviation over seeds, and how the chapter prints them. */
public final class SeedStats {
    private SeedStats() {}

    public static double mean(double[] xs) {
        require(xs);
        return Arrays.stream(xs).average().orElseThrow();
    }

    /** Sample standard deviation (divides by n − 1); 0 for one value. */
    public static double sd(double[] xs) {
        require(xs);
        if (xs.length < 2) {
            return 0;
        }
        double m = mean(xs);
        return Math.sqrt(Arrays.stream(xs).map(x -> (x - m) * (x - m)).sum() / (xs.length - 1));
    }

    /** {@code "mean ± sd"} with {@code decimals} decimals. */
    public static String format(double[] xs, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f", mean(xs), sd(xs));
    }

    /** Column {@code j} of {@code rows}: one value per seed from per-seed arrays. */
    public static double[] column(double[][] rows, int j) {
        return Arrays.stream(rows).mapToDouble(r -> r[j]).toArray();
    }

    private static void require(double[] xs) {
        if (xs == null || xs.length == 0) {
            throw new IllegalArgumentException("SeedStats: no values (one per seed expected)");
        }
    }
}
