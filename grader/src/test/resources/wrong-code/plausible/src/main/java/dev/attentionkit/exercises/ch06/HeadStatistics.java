package dev.attentionkit.exercises.ch06;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

// WRONG ON PURPOSE (grader fixture): 6.2 entropy in bits (log2) instead of nats; 6.3 a tie goes to the higher head
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
        INDArray w = weights.dup();
        INDArray safe = Transforms.max(w, 1e-30, true); // ln(tiny) · 0 = 0
        INDArray terms = w.mul(Transforms.log(safe, false)).div(Math.log(2));  // w · ln w
        return terms.sum(2).negi();                                                        // [heads, queries]
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
        int best = 0;
        double bestWeight = Double.NEGATIVE_INFINITY;
        for (int h = 0; h < weights.size(0); h++) {
            double w = weights.getDouble(h, query, key);
            if (w >= bestWeight) {
                best = h;
                bestWeight = w;
            }
        }
        return best;
    }
}
