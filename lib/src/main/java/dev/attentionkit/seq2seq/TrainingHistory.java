package dev.attentionkit.seq2seq;

import java.util.List;

/**
 * A finished training run.
 *
 * @param epochs       one entry per epoch
 * @param trainSeconds wall-clock time of the whole run, evaluations included
 */
public record TrainingHistory(List<EpochStats> epochs, double trainSeconds) {
    /** The last epoch's statistics. */
    public EpochStats last() {
        return epochs.get(epochs.size() - 1);
    }
}
