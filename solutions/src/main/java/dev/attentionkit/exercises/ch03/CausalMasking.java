package dev.attentionkit.exercises.ch03;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercises 3.1 and 3.2 — the causal mask (book section 3.5.1).
 *
 * <p>A decoder predicts the next token, so token i may only look at tokens {@code 0..i}. The book hides the
 * future by writing {@code -∞} into the scores above the diagonal before softmax: {@code exp(-∞) = 0}, so
 * those keys get weight 0, and softmax spreads the whole weight over the visible keys.
 *
 * <pre>
 * tokens = 4, additive mask       weights = softmax(scores + mask)
 *   0  -∞  -∞  -∞                   1     0     0     0
 *   0   0  -∞  -∞                   w10   w11   0     0
 *   0   0   0  -∞                   ...
 *   0   0   0   0
 * </pre>
 */
public final class CausalMasking {
    private CausalMasking() {}

    /**
     * Exercise 3.1: the additive causal mask.
     *
     * @param tokens the sequence length, at least 1
     * @return {@code FLOAT [tokens, tokens]}: {@code 0} where key j is visible to query i ({@code j <= i}),
     *         {@code Float.NEGATIVE_INFINITY} where it is in the future ({@code j > i})
     */
    public static INDArray additiveMask(int tokens) {
        // BEGIN SOLUTION 3.1
        float[][] mask = new float[tokens][tokens];
        for (int i = 0; i < tokens; i++) {
            java.util.Arrays.fill(mask[i], i + 1, tokens, Float.NEGATIVE_INFINITY);   // the future: keys j > i
        }
        return Nd4j.createFromArray(mask);
        // END SOLUTION
    }

    /**
     * Exercise 3.2: causal attention weights from (already scaled) scores.
     *
     * @param scores {@code [tokens, tokens]} or {@code [batch, tokens, tokens]}: query i against key j, already
     *               divided by {@code sqrt(dK)}
     * @return weights of the same shape: row i is the softmax over keys {@code 0..i} and exactly 0 for keys
     *         after i, so every row sums to 1
     */
    public static INDArray weights(INDArray scores) {
        // BEGIN SOLUTION 3.2
        int last = scores.rank() - 1;
        long tokens = scores.size(last);
        INDArray mask = additiveMask((int) tokens).castTo(scores.dataType());     // [t, t], broadcasts over batch
        INDArray masked = scores.add(mask);                                        // future scores are -inf
        INDArray exp = Transforms.exp(masked.sub(masked.max(true, last)), false);  // the diagonal is finite: max is too
        return exp.divi(exp.sum(true, last));
        // END SOLUTION
    }
}
