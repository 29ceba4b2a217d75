package dev.attentionkit.exercises.ch05;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// WRONG ON PURPOSE (grader fixture): 5.1 forgets the tanh
/**
 * Exercise 5.1 — Bahdanau's additive score (d2l section 11.3.2).
 *
 * <pre>
 * score(q_i, k_j) = vᵀ · tanh(W_q · q_i + W_k · k_j)
 * </pre>
 *
 * A small network with one hidden layer of {@code h} units looks at every (query, key) pair. Queries and keys
 * may have different sizes: {@code W_q} and {@code W_k} bring both into the same {@code h}-dimensional space.
 */
public final class AdditiveAttention {
    private AdditiveAttention() {}

    /**
     * @param queries {@code [q, dQ]}, one query per row
     * @param keys    {@code [k, dK]}, one key per row
     * @param wQ      {@code [h, dQ]}
     * @param wK      {@code [h, dK]}
     * @param v       {@code [h]}
     * @return {@code [q, k]}: entry {@code [i, j]} is {@code score(q_i, k_j)}
     */
    public static INDArray scores(INDArray queries, INDArray keys, INDArray wQ, INDArray wK, INDArray v) {
        INDArray qp = queries.mmul(wQ.transpose());            // [q, h]: W_q · q_i for every query
        INDArray kp = keys.mmul(wK.transpose());               // [k, h]: W_k · k_j for every key
        long nq = qp.size(0);
        long nk = kp.size(0);
        long h = qp.size(1);
        INDArray scores = Nd4j.create(qp.dataType(), nq, nk);
        for (int i = 0; i < nq; i++) {
            INDArray features = kp.addRowVector(qp.getRow(i));   // [k, h]
            scores.putRow(i, features.mmul(v.reshape(h, 1)).reshape(nk));        // [k]
        }
        return scores;
    }
}
