package dev.attentionkit.exercises.ch06;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercises 6.2 and 6.3 — two numbers that summarise multi-head attention weights {@code [heads, queries, keys]}.
 *
 * <p><b>Entropy</b> says how spread out a query's attention is: {@code H = -Σ_j w_j · ln(w_j)}, with
 * {@code 0 · ln 0 = 0}. A head that looks at one key has {@code H = 0}; one that spreads evenly over {@code n}
 * keys has {@code H = ln n}. Sharp, low-entropy heads are the ones worth reading.
 *
 * <p><b>Strongest head</b>: of all heads, which one sends the most weight from query {@code i} to key
 * {@code j}? That is how one finds, say, the head that links "it" to "animal".
 */
public final class HeadStatistics {
    private HeadStatistics() {}

    /**
     * Exercise 6.2.
     *
     * @param weights {@code [heads, queries, keys]}, each row non-negative and summing to 1 (or all zeros)
     * @return {@code [heads, queries]}: the entropy of each row in nats (natural logarithm)
     */
    public static INDArray entropy(INDArray weights) {
        // TODO Exercise 6.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 6.2 is not done yet");
    }

    /**
     * Exercise 6.3.
     *
     * @param weights {@code [heads, queries, keys]}
     * @param query   the query position i
     * @param key     the key position j
     * @return the head with the largest weight {@code weights[h, i, j]}; on a tie, the lowest head index
     */
    public static int strongestHead(INDArray weights, int query, int key) {
        // TODO Exercise 6.3: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 6.3 is not done yet");
    }
}
