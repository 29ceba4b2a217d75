package dev.attentionkit.score;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How well each query matches each key: the first step of every attention layer, before the scores are
 * normalised into weights. Swapping this one function gives the attention variants of the literature
 * (d2l 11.3): dot product, scaled dot product (Transformer), multiplicative (Luong), additive (Bahdanau),
 * location-based (Luong).
 */
@FunctionalInterface
public interface ScoreFunction {
    /**
     * @param queries {@code [queries, dQ]} or {@code [batch, queries, dQ]}
     * @param keys    {@code [keys, dK]} or {@code [batch, keys, dK]}, same rank and batch as {@code queries}
     * @return {@code [queries, keys]} or {@code [batch, queries, keys]}: entry {@code [i, j]} scores query i
     *         against key j
     */
    INDArray scores(INDArray queries, INDArray keys);

    /** {@code q · k}: no parameters, needs {@code dQ == dK}. */
    static ScoreFunction dotProduct() {
        return new DotProductScore();
    }

    /** {@code q · k / sqrt(dK)}: the Transformer's score. */
    static ScoreFunction scaledDotProduct() {
        return new ScaledDotProductScore();
    }
}
