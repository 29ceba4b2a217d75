package dev.attentionkit.score;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code score(q, k) = q · k / sqrt(d)}: the Transformer's score. The scaling keeps the variance of the
 * scores near 1 whatever {@code d} is, so softmax does not saturate into one-hot weights.
 */
public final class ScaledDotProductScore implements ScoreFunction {
    /**
     * @param queries {@code [(batch,) queries, d]}
     * @param keys    {@code [(batch,) keys, d]}
     * @return {@code [(batch,) queries, keys]}
     */
    @Override
    public INDArray scores(INDArray queries, INDArray keys) {
        INDArray dot = new DotProductScore().scores(queries, keys);
        return dot.divi(Math.sqrt(queries.size(-1)));
    }

    @Override
    public String toString() {
        return "ScaledDotProductScore";
    }
}
