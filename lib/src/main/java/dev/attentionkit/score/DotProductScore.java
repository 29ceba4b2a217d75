package dev.attentionkit.score;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code score(q, k) = q · k}: the unscaled dot product of book section 3.3, no parameters. */
public final class DotProductScore implements ScoreFunction {
    /**
     * @param queries {@code [(batch,) queries, d]}
     * @param keys    {@code [(batch,) keys, d]}
     * @return {@code [(batch,) queries, keys]}
     */
    @Override
    public INDArray scores(INDArray queries, INDArray keys) {
        ScoreShapes.check("DotProductScore", queries, keys, -1, queries == null ? -1 : queries.size(-1));
        return Nd4j.matmul(queries, keys, false, true, false); // [b, q, d] · [b, d, k]
    }

    @Override
    public String toString() {
        return "DotProductScore";
    }
}
