package dev.attentionkit.exercises.ch03;

import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 3.3 returns x: right in eval mode only
/**
 * Exercise 3.3 — inverted dropout on the attention weights (book section 3.5.2).
 *
 * <p>In training, dropout zeroes each entry with probability {@code p} and multiplies the survivors by
 * {@code 1 / (1 - p)}, so every entry keeps its expected value and nothing needs rescaling at inference. In
 * evaluation mode it does nothing. Which entries survive is random; here the random draw is given to you as
 * {@code keep}, so the result is deterministic.
 *
 * <pre>
 * p = 0.5, keep = [1, 0, 1, 1],  x = [0.2, 0.3, 0.1, 0.4]   →   [0.4, 0.0, 0.2, 0.8]
 * </pre>
 */
public final class InvertedDropout {
    private InvertedDropout() {}

    /**
     * @param x        any shape, e.g. attention weights {@code [batch, tokens, tokens]}
     * @param keep     the same shape as {@code x}: {@code 1} = the entry survives, {@code 0} = it is dropped
     * @param p        the dropout probability, {@code 0 <= p < 1}
     * @param training {@code false} for evaluation mode, where dropout returns {@code x} unchanged
     * @return the same shape as {@code x}
     */
    public static INDArray apply(INDArray x, INDArray keep, double p, boolean training) {
        return x;                                                 // the identity, in training too   // drop, then scale the survivors by 1/(1-p)
    }
}
