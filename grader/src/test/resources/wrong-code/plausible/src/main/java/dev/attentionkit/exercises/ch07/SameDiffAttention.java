package dev.attentionkit.exercises.ch07;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

// WRONG ON PURPOSE (grader fixture): 7.4 divides by dK instead of sqrt(dK)
/**
 * Exercise 7.4 — scaled dot-product attention as SameDiff operations, so that SameDiff can differentiate
 * it. The graded test checks your gradients against finite differences with {@code GradCheckUtil}.
 *
 * <p>{@code softmax(Q · Kᵀ / sqrt(dK)) · V}, with SameDiff's {@code sd.mmul(a, b, transposeA, transposeB,
 * transposeResult)}, {@code x.div(number)} and {@code sd.nn.softmax(x, axis)}.
 */
public final class SameDiffAttention {
    private SameDiffAttention() {}

    /**
     * @param queries {@code [queries, dK]}
     * @param keys    {@code [keys, dK]}
     * @param values  {@code [keys, dV]}
     * @return the context vectors {@code [queries, dV]}
     */
    public static SDVariable context(SDVariable queries, SDVariable keys, SDVariable values) {
        SameDiff sd = queries.getSameDiff();
        long dK = queries.getShape()[1];
        SDVariable scores = sd.mmul(queries, keys, false, true, false).div(dK);   // [q, k]
        return sd.mmul(sd.nn.softmax(scores, 1), values);                                    // [q, dV]
    }
}
