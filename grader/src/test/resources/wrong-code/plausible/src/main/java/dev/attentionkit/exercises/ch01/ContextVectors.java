package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 1.3 scales the scores by 1/sqrt(d), which this chapter does not
/**
 * Exercise 1.3 — every context vector at once with matrix products (book section 3.3.2).
 *
 * <p>All scores are {@code X · Xᵀ}; softmax each row into weights; the context vectors are
 * {@code weights · X}. No loops over tokens: two matrix products and a softmax. You may use your
 * {@link SoftmaxWeights#softmax} from exercise 1.2.
 */
public final class ContextVectors {
    private ContextVectors() {}

    /**
     * @param inputs {@code [tokens, d]}
     * @return {@code [tokens, d]}: row i is the context vector of token i
     */
    public static INDArray all(INDArray inputs) {
        INDArray scores = inputs.mmul(inputs.transpose()).div(Math.sqrt(inputs.columns()));     // [tokens, tokens]
        INDArray weights = SoftmaxWeights.softmax(scores);       // rows sum to 1
        return weights.mmul(inputs);                             // [tokens, d]
    }
}
