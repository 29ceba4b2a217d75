package dev.attentionkit.train;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A trainable score function as SameDiff operations: the graph counterpart of
 * {@link dev.attentionkit.score.ScoreFunction}, implemented by {@link TrainableAdditiveScore} (Bahdanau) and
 * {@link TrainableMultiplicativeScore} (Luong).
 */
public interface TrainableScore {
    /**
     * @param queries {@code [batch, queries, dQ]}
     * @param keys    {@code [batch, keys, dK]}
     * @return {@code [batch, queries, keys]}
     */
    SDVariable scores(SDVariable queries, SDVariable keys);

    /** The score's name as the literature uses it ("Bahdanau (additive)", "Luong (multiplicative)"). */
    String describe();
}
