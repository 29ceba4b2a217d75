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
        // BEGIN SOLUTION 2.1
        INDArray queries = x.mmul(wQuery);                              // [tokens, dOut]
        INDArray keys = x.mmul(wKey);                                   // [tokens, dOut]
        INDArray values = x.mmul(wValue);                               // [tokens, dOut]
        INDArray scores = queries.mmul(keys.transpose())                // [tokens, tokens]
            .divi(Math.sqrt(keys.columns()));
        INDArray exp = Transforms.exp(scores.subColumnVector(scores.max(1)), false);
        INDArray weights = exp.diviColumnVector(exp.sum(1));            // rows sum to 1
        return weights.mmul(values);                                    // [tokens, dOut]
        // END SOLUTION
    }
}
