package dev.attentionkit.exercises.ch06;

import java.util.Comparator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 6.1 — which keys does each query attend to most?
 *
 * <p>Reading attention starts with this question. For each row of a weights matrix, return the positions of
 * its {@code k} largest weights, largest first. When two weights are equal, the smaller key position comes
 * first.
 *
 * <pre>
 * weights row [0.1, 0.5, 0.1, 0.3], k = 2   →   [1, 3]
 * </pre>
 */
public final class TopKeys {
    private TopKeys() {}

    /**
     * @param weights {@code [queries, keys]}
     * @param k       how many keys per query, {@code 1 <= k <= keys}
     * @return {@code [queries][k]}: key positions (0-based), largest weight first
     */
    public static int[][] topK(INDArray weights, int k) {
        // TODO Exercise 6.1: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 6.1 is not done yet");
    }
}
