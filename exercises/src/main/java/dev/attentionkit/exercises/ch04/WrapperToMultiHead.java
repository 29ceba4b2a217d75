package dev.attentionkit.exercises.ch04;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exercise 4.3 — from stacked heads to weight splits (book section 3.6).
 *
 * <p>A {@link MultiHeadAttentionWrapper} runs {@code nh} separate {@link CausalAttention} heads and
 * concatenates their outputs. A {@link MultiHeadAttention} does the same with one {@code [nh·hs, dIn]} matrix
 * per projection, whose rows {@code h·hs .. (h+1)·hs - 1} are head {@code h}'s weights, followed by an output
 * projection. Build the {@code MultiHeadAttention} that gives exactly the wrapper's outputs.
 *
 * <p>Use {@link MultiHeadAttention#fromWeights}; the wrapper has no output projection, so yours must change
 * nothing. (The library's {@code MultiHeadAttention.fromWrapper} does this too; write it yourself, then compare.)
 * The wrapper's heads have no biases.
 */
public final class WrapperToMultiHead {
    private WrapperToMultiHead() {}

    /**
     * @param wrapper {@code nh} heads, each with query, key and value weights {@code [hs, dIn]}, no biases
     * @return a {@code MultiHeadAttention} with {@code dOut = nh · hs}, {@code nh} heads and the wrapper's
     *         context length, whose {@code forward} equals the wrapper's for every input
     */
    public static MultiHeadAttention transfer(MultiHeadAttentionWrapper wrapper) {
        // TODO Exercise 4.3: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 4.3 is not done yet");
    }
}
