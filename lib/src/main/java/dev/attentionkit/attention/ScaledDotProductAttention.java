package dev.attentionkit.attention;

import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.tensor.Softmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code softmax(Q · Kᵀ / sqrt(d_k)) · V}: the formula every attention module in the kit ends in.
 *
 * <p>Dividing by {@code sqrt(d_k)} keeps the scores' spread independent of the key size: the dot product
 * of two random {@code d_k}-vectors has a variance that grows with {@code d_k}, and large scores push
 * softmax towards one-hot weights whose gradients vanish.
 */
public final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /**
     * @param queries {@code [queries, dK]} or {@code [batch, queries, dK]}
     * @param keys    {@code [keys, dK]} or {@code [batch, keys, dK]}
     * @param values  {@code [keys, dV]} or {@code [batch, keys, dV]}
     * @return context {@code [(batch,) queries, dV]} and weights {@code [(batch,) queries, keys]}
     */
    public static AttentionOutput apply(INDArray queries, INDArray keys, INDArray values) {
        Shapes.requireSequence(queries, "queries", -1, "[batch, queries, dK]");
        long dK = queries.size(queries.rank() - 1);
        Shapes.requireSequence(keys, "keys", dK, "[batch, keys, dK]");
        Shapes.requireSequence(values, "values", -1, "[batch, keys, dV]");
        requireCompatible(queries, keys, values);

        INDArray scores = scores(queries, keys);                     // [b, q, k]
        INDArray weights = Softmax.lastAxis(scores.divi(Math.sqrt(dK)));
        INDArray context = Nd4j.matmul(weights, values);            // [b, q, dV]
        return new AttentionOutput(context, weights);
    }

    /**
     * The unscaled scores {@code Q · Kᵀ}: entry {@code [i, j]} is the dot product of query i and key j.
     *
     * @param queries {@code [queries, d]} or {@code [batch, queries, d]}
     * @param keys    {@code [keys, d]} or {@code [batch, keys, d]}
     * @return {@code [queries, keys]} or {@code [batch, queries, keys]}
     */
    public static INDArray scores(INDArray queries, INDArray keys) {
        return Nd4j.matmul(queries, keys, false, true, false);
    }

    private static void requireCompatible(INDArray q, INDArray k, INDArray v) {
        String shapes = String.format("queries %s, keys %s, values %s",
            Shapes.describe(q), Shapes.describe(k), Shapes.describe(v));
        if (q.rank() != k.rank() || k.rank() != v.rank()) {
            throw new IllegalArgumentException(shapes + ": all three need the same rank");
        }
        if (q.rank() == 3 && (q.size(0) != k.size(0) || k.size(0) != v.size(0))) {
            throw new IllegalArgumentException(shapes + ": all three need the same batch size");
        }
        if (k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException(shapes + ": keys and values need the same number of tokens");
        }
    }
}
