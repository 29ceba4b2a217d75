package dev.attentionkit.exercises.ch02;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercise 2.1 — the forward pass of {@code SelfAttention_v1} (book section 3.4.2).
 *
 * <pre>
 * queries = x · W_query,  keys = x · W_key,  values = x · W_value      [tokens, dOut]
 * weights = softmax(queries · keysᵀ / sqrt(dOut))                      [tokens, tokens]
 * context = weights · values                                           [tokens, dOut]
 * </pre>
 *
 * <p>The softmax is the stable one of exercise 1.2 (each row minus its maximum), so large scores stay finite.
 */
public final class MySelfAttentionV1 {
    private final INDArray wQuery; // [dIn, dOut]
    private final INDArray wKey;   // [dIn, dOut]
    private final INDArray wValue; // [dIn, dOut]

    /** The three weight matrices, each {@code [dIn, dOut]} and used as {@code x · W}. */
    public MySelfAttentionV1(INDArray wQuery, INDArray wKey, INDArray wValue) {
        this.wQuery = wQuery;
        this.wKey = wKey;
        this.wValue = wValue;
    }

    /**
     * @param x {@code [tokens, dIn]}
     * @return the context vectors {@code [tokens, dOut]}
     */
    public INDArray forward(INDArray x) {
        // TODO Exercise 2.1: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 2.1 is not done yet");
    }
}
