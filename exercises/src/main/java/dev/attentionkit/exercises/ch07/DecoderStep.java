package dev.attentionkit.exercises.ch07;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.score.ScoreFunction;
import dev.attentionkit.tensor.Softmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 7.2 — one decoder step with attention: score every encoder state against the decoder's query,
 * turn the scores into weights with softmax, and sum the encoder states with those weights.
 *
 * <p>Any {@link ScoreFunction} works here: the kit's {@code AdditiveScore} (Bahdanau) or
 * {@code MultiplicativeScore} (Luong) take {@code [queries, dQ]} and {@code [keys, dK]} and return
 * {@code [queries, keys]}.
 */
public final class DecoderStep {
    private DecoderStep() {}

    /**
     * @param query         {@code [dQ]}, the decoder state at this step
     * @param encoderStates {@code [Tx, dK]}, the keys and the values
     * @param score         the score function
     * @return context {@code [dK]} (the weighted sum of encoder states) and weights {@code [Tx]} (sum to 1)
     */
    public static AttentionOutput attend(INDArray query, INDArray encoderStates, ScoreFunction score) {
        // TODO Exercise 7.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 7.2 is not done yet");
    }
}
