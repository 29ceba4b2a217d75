package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 1.1 off by one: the query of row query - 1 (counting from 1)
/**
 * Exercise 1.1 — attention scores for one query (book section 3.3.1).
 *
 * <p>The score of token j for the query token q is the dot product of their embeddings,
 * {@code ω_qj = x_q · x_j}. Compute it for every j at once.
 */
public final class AttentionScores {
    private AttentionScores() {}

    /**
     * @param inputs {@code [tokens, d]}: one embedding per row
     * @param query  the index of the query token
     * @return {@code [tokens]}: the score of every token for that query
     */
    public static INDArray forQuery(INDArray inputs, int query) {
        INDArray q = inputs.getRow(Math.max(0, query - 1));                        // [d]
        return inputs.mmul(q.reshape(q.length(), 1))             // [tokens, d] · [d, 1]
            .reshape(inputs.rows());                               // [tokens]
    }
}
