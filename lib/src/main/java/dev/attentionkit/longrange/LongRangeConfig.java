package dev.attentionkit.longrange;

import dev.attentionkit.notebook.Profile;
import java.util.Locale;

/**
 * One run of the long-range task: data, model width and training.
 *
 * @param length         tokens per sequence
 * @param width          model width: LSTM hidden size, transformer d (embedding size for all three)
 * @param heads          attention heads of the transformer block ({@code width} divisible by it)
 * @param trainSize      training sequences (distances mixed)
 * @param testPerDistance test sequences at each test distance
 * @param batchSize      sequences per Adam step
 * @param epochs         passes over the training set
 * @param learningRate   Adam's step size
 * @param seed           data, weights and shuffling
 */
public record LongRangeConfig(int length, int width, int heads, int trainSize, int testPerDistance, int batchSize,
                              int epochs, double learningRate, long seed) {

    /**
     * The notebook's configuration (about three minutes for the whole notebook on two cores). The transformer leaves
     * its plateau after about six epochs; with 32 tokens instead of 24 it was still on it after twelve.
     */
    public static LongRangeConfig full() {
        return new LongRangeConfig(24, 32, 2, 3_000, 200, 32, 12, 0.01, 7);
    }

    /**
     * A small run for continuous integration: shorter sequences, less data. The transformer sits on a plateau for
     * several epochs before it finds the token after the marker, so the epochs stay.
     */
    public static LongRangeConfig ci() {
        return new LongRangeConfig(24, 32, 2, 1_500, 100, 32, 12, 0.01, 7);
    }

    /** {@link #ci()} if {@code ATTENTION_KIT_PROFILE=ci}, otherwise {@link #full()}. */
    public static LongRangeConfig fromEnvironment() {
        return Profile.isCi() ? ci() : full();
    }

    public LongRangeConfig withHeads(int h) {
        return new LongRangeConfig(length, width, h, trainSize, testPerDistance, batchSize, epochs, learningRate, seed);
    }

    public LongRangeConfig withEpochs(int n) {
        return new LongRangeConfig(length, width, heads, trainSize, testPerDistance, batchSize, n, learningRate, seed);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LongRangeConfig(length %d, width %d, heads %d, train %d, test %d per "
            + "distance, batch %d, epochs %d, lr %s, seed %d)", length, width, heads, trainSize, testPerDistance,
            batchSize, epochs, learningRate, seed);
    }
}
