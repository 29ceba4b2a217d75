package dev.attentionkit.score;

import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The input checks every score function shares. */
final class ScoreShapes {
    private ScoreShapes() {}

    /**
     * Requires {@code queries [(batch,) queries, dQ]} and {@code keys [(batch,) keys, dK]} of the same rank and
     * batch; {@code dQ} or {@code dK} of -1 accepts any size.
     */
    static void check(String score, INDArray queries, INDArray keys, long dQ, long dK) {
        Shapes.requireSequence(queries, score + " queries", dQ, "[batch, queries, dQ]");
        Shapes.requireSequence(keys, score + " keys", dK, "[batch, keys, dK]");
        if (queries.rank() != keys.rank() || (queries.rank() == 3 && queries.size(0) != keys.size(0))) {
            throw new IllegalArgumentException(String.format(
                "%s: queries %s and keys %s need the same rank and batch size",
                score, Shapes.describe(queries), Shapes.describe(keys)));
        }
    }
}
