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
        // BEGIN SOLUTION 7.2
        INDArray scores = score.scores(query.reshape(1, query.length()), encoderStates);   // [1, Tx]
        INDArray weights = Softmax.lastAxis(scores);                                      // [1, Tx]
        INDArray context = weights.mmul(encoderStates);                                   // [1, dK]
        return new AttentionOutput(context.reshape(encoderStates.size(1)), weights.reshape(encoderStates.size(0)));
        // END SOLUTION
    }
}
