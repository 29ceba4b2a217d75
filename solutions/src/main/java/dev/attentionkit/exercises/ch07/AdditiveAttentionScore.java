package dev.attentionkit.exercises.ch07;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercise 7.1 — Bahdanau's additive score for one decoder query against every encoder state.
 *
 * <p>{@code score_j = vᵀ · tanh(W_q · q + W_k · k_j)}: a one-hidden-layer network that judges how well the
 * query fits key {@code j}. Queries and keys may have different sizes; both are mapped to {@code h} features.
 */
public final class AdditiveAttentionScore {
    private AdditiveAttentionScore() {}

    /**
     * @param query {@code [dQ]}, the decoder state
     * @param keys  {@code [Tx, dK]}, one encoder state per input position
     * @param wQ    {@code [h, dQ]}
     * @param wK    {@code [h, dK]}
     * @param v     {@code [h]}
     * @return {@code [Tx]}, the score of every key
     */
    public static INDArray scores(INDArray query, INDArray keys, INDArray wQ, INDArray wK, INDArray v) {
        // BEGIN SOLUTION 7.1
        INDArray q = wQ.mmul(query.reshape(query.length(), 1)).reshape(1, wQ.size(0));   // [1, h]
        INDArray k = keys.mmul(wK.transpose());                                          // [Tx, h]
        INDArray features = Transforms.tanh(k.addRowVector(q), true);                    // [Tx, h]
        return features.mmul(v.reshape(v.length(), 1)).reshape(keys.size(0));           // [Tx]
        // END SOLUTION
    }
}
