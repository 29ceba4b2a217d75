package dev.attentionkit.exercises.ch08;

import org.nd4j.linalg.api.ndarray.INDArray;

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
        // TODO Exercise 8.1: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 8.1 is not done yet");
    }
}
