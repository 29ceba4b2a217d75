package dev.attentionkit.train;

import dev.attentionkit.mask.Mask;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code softmax(mask(Q · Kᵀ / sqrt(d_k))) · V} as SameDiff operations, the same formula as
 * {@link dev.attentionkit.attention.ScaledDotProductAttention} so that autodiff can differentiate it.
 *
 * <p>Masking adds {@value #BLOCKED} to the blocked scores instead of {@code -∞}: {@code exp} still gives an
 * exact 0 for them, and the gradient stays finite. (A row with every key blocked gets uniform weights here,
 * and zero weights in the plain version; no module of the kit builds such rows.)
 */
public final class TrainableScaledDotProductAttention {
    /** What a blocked score becomes. */
    public static final double BLOCKED = -1e9;

    private TrainableScaledDotProductAttention() {}

    /**
     * @param queries {@code [batch, queries, dK]} or {@code [batch, heads, queries, dK]}
     * @param keys    same rank, {@code [.., keys, dK]}
     * @param values  same rank, {@code [.., keys, dV]}
     * @param dK      the key size, for the {@code 1/sqrt(dK)} scale
     * @param mask    {@code [queries, keys]} or {@code [batch, queries, keys]} (true = attend), or null
     * @return context {@code [.., queries, dV]} and weights {@code [.., queries, keys]}
     */
    public static TrainableAttentionOutput apply(SDVariable queries, SDVariable keys, SDVariable values, long dK,
                                                 Mask mask) {
        return apply(queries, keys, values, dK, mask, false);
    }

    /** As above; {@code headsAxis} says the inputs are {@code [batch, heads, tokens, d]}. */
    static TrainableAttentionOutput apply(SDVariable queries, SDVariable keys, SDVariable values, long dK,
                                          Mask mask, boolean headsAxis) {
        SameDiff sd = queries.getSameDiff();
        SDVariable scores = sd.mmul(queries, keys, false, true, false).div(Math.sqrt(dK)); // [.., q, k]
        if (mask != null) {
            scores = scores.add(sd.constant(additive(mask, queries, headsAxis)));
        }
        SDVariable weights = sd.nn.softmax(scores, -1);
        SDVariable context = sd.mmul(weights, values);                                     // [.., q, dV]
        return new TrainableAttentionOutput(context, weights);
    }

    /** 0 where the mask keeps a score, {@link #BLOCKED} where it blocks one; shaped to broadcast. */
    static INDArray additive(Mask mask, SDVariable like, boolean headsAxis) {
        INDArray blocked = mask.additive(like.dataType(), BLOCKED);
        long[] shape = blocked.shape();
        if (mask.isBatched() && headsAxis) {
            return blocked.reshape(shape[0], 1, shape[1], shape[2]);                        // [b, 1, q, k]: all heads
        }
        return blocked;
    }

    /** One axis size (counted from the end) of a variable whose shape is known when the graph is built. */
    static long size(SDVariable x, int axisFromEnd, String what) {
        long[] shape = x.getShape();
        if (shape == null || shape.length < axisFromEnd || shape[shape.length - axisFromEnd] < 0) {
            throw new IllegalArgumentException(what + ": the token count must be known when the graph is built "
                + "(declare the placeholder with a fixed token count), got shape "
                + (shape == null ? "unknown" : java.util.Arrays.toString(shape)));
        }
        return shape[shape.length - axisFromEnd];
    }
}
