package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Dropout;
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
        Shapes.requireQueriesKeysValues(queries, keys, values, 3);
        Shapes.requireFinite(queries, "queries");
        Shapes.requireFinite(keys, "keys");
        Shapes.requireFinite(values, "values");
        long dK = queries.size(-1);

        INDArray scores = scores(queries, keys);                     // [b, q, k]
        INDArray weights = Softmax.lastAxis(scores.divi(Math.sqrt(dK)));
        INDArray context = Nd4j.matmul(weights, values);            // [b, q, dV]
        return new AttentionOutput(context, weights);
    }

    /**
     * The same with a mask and dropout on the weights, as the book's {@code CausalAttention} and
     * {@code MultiHeadAttention} compute it: scores, scale, masked softmax, dropout, weighted sum.
     * Also accepts the multi-head layout with a heads axis.
     *
     * @param queries {@code [queries, dK]}, {@code [batch, queries, dK]} or {@code [batch, heads, queries, dK]}
     * @param keys    {@code [(batch, heads,) keys, dK]}, same rank as {@code queries}
     * @param values  {@code [(batch, heads,) keys, dV]}, same rank as {@code queries}
     * @param mask    {@code [queries, keys]} or {@code [batch, queries, keys]} (true = attend), or null;
     *                fully masked rows give zero weights and a zero context vector
     * @param dropout applied to the weights after softmax, or null
     * @return context {@code [(batch, heads,) queries, dV]} and weights {@code [(batch, heads,) queries, keys]}
     *         (after dropout, so that context = weights · values holds)
     */
    public static AttentionOutput apply(INDArray queries, INDArray keys, INDArray values, Mask mask, Dropout dropout) {
        Shapes.requireQueriesKeysValues(queries, keys, values, 4);
        long dK = queries.size(-1);
        INDArray scores = Nd4j.matmul(queries, keys, false, true, false).divi(Math.sqrt(dK)); // [.., q, k]
        INDArray weights = mask == null ? Softmax.lastAxis(scores) : mask.softmax(scores);
        if (dropout != null) {
            weights = dropout.forward(weights);
        }
        INDArray context = Nd4j.matmul(weights, values);                                     // [.., q, dV]
        return new AttentionOutput(context, weights);
    }

    /** {@link #apply(INDArray, INDArray, INDArray, Mask, Dropout)} without dropout. */
    public static AttentionOutput apply(INDArray queries, INDArray keys, INDArray values, Mask mask) {
        return apply(queries, keys, values, mask, null);
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
}
