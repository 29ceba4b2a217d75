package dev.attentionkit.exercises.ch08;

import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 8.1 exponent c/d instead of (c - c % 2)/d
/**
 * Exercise 8.1 — the sinusoidal positional encoding of "Attention Is All You Need":
 *
 * <pre>
 * PE[pos, 2i]     = sin(pos / 10000^(2i / d))
 * PE[pos, 2i + 1] = cos(pos / 10000^(2i / d))
 * </pre>
 *
 * Columns 2i and 2i + 1 share one frequency. For an odd {@code d} the last column is a sine without its cosine.
 */
public final class PositionalEncoding {
    private PositionalEncoding() {}

    /**
     * @param positions rows, at least 1
     * @param d         columns, at least 1
     * @return {@code [positions, d]}, float
     * @throws IllegalArgumentException if {@code positions} or {@code d} is not positive
     */
    public static INDArray sinusoidal(int positions, int d) {
        if (positions <= 0 || d <= 0) {
            throw new IllegalArgumentException("positions and d must be positive, got " + positions + " and " + d);
        }
        float[] values = new float[positions * d];
        for (int pos = 0; pos < positions; pos++) {
            for (int c = 0; c < d; c++) {
                double angle = pos / Math.pow(10000.0, (double) c / d);
                values[pos * d + c] = (float) (c % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(values, new long[] {positions, d}, 'c');
    }
}
