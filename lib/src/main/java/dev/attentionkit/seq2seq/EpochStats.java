package dev.attentionkit.seq2seq;

/**
 * What one epoch of training achieved.
 *
 * @param epoch              1-based
 * @param trainLoss          mean cross-entropy per character on a fixed sample of training examples, after the epoch
 * @param validationLoss     the same on the validation split
 * @param validationAccuracy exact-match accuracy of greedy decoding on the validation split
 * @param seconds            wall-clock time since training started
 */
public record EpochStats(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                         double seconds) {
}
