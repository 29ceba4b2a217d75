package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;

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
        // TODO Exercise 1.3: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 1.3 is not done yet");
    }
}
