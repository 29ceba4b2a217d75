package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;

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
        // TODO Exercise 1.1: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 1.1 is not done yet");
    }
}
