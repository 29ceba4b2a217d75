package dev.attentionkit.longrange;

import dev.attentionkit.notebook.Profile;
import java.util.Locale;

/**
 * One run of the long-range task: data, model width and training.
 *
 * @param pairs           key–value pairs per sequence ({@code 2·pairs + 2} tokens, {@link #length()})
 * @param width           model width: LSTM hidden size, transformer d (embedding size for all three)
 * @param heads           attention heads of the transformer block ({@code width} divisible by it)
 * @param trainSize       training sequences (deciding pair anywhere)
 * @param testPerDistance test sequences for each position of the deciding pair
 * @param batchSize       sequences per Adam step
 * @param epochs          passes over the training set
 * @param learningRate    Adam's step size
 * @param seed            data, weights and shuffling of the first run
 * @param seeds           runs per model in the notebook: seeds {@code seed, seed + 1, ...}
 */
public record LongRangeConfig(int pairs, int width, int heads, int trainSize, int testPerDistance, int batchSize,
                              int epochs, double learningRate, long seed, int seeds) {
    public LongRangeConfig {
        LongRangeTask.length(pairs);   // checks pairs
        if (width < 1 || heads < 1 || trainSize < 1 || testPerDistance < 1 || batchSize < 1 || epochs < 0
            || seeds < 1) {
            throw new IllegalArgumentException("LongRangeConfig: width, heads, trainSize, testPerDistance and batchSize "
                + "and seeds must be positive and epochs >= 0, got " + width + ", " + heads + ", " + trainSize + ", "
                + testPerDistance + ", " + batchSize + ", " + seeds + ", " + epochs);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("LongRangeConfig: learningRate must be a positive number, got "
                + learningRate);
        }
    }

    /**
     * The notebook's configuration: 31 pairs (64 tokens), 600 Adam steps of 32 sequences per run, three seeds. The
     * transformer leaves its loss plateau after about 200 steps.
     */
    public static LongRangeConfig full() {
        return new LongRangeConfig(31, 32, 2, 6_400, 16, 32, 3, 0.01, 7, 3);
    }

    /**
     * A small run for continuous integration: the same sequences and models, 100 steps per run, two seeds, a
     * smaller test set. The models are still on their loss plateau then: the ci numbers do not show the comparison.
     */
    public static LongRangeConfig ci() {
        return new LongRangeConfig(31, 32, 2, 1_600, 8, 32, 2, 0.01, 7, 2);
    }

    /** {@link #ci()} if {@code ATTENTION_KIT_PROFILE=ci}, otherwise {@link #full()}. */
    public static LongRangeConfig fromEnvironment() {
        return Profile.isCi() ? ci() : full();
    }

    /** Tokens per sequence, {@code 2·pairs + 2}. */
    public int length() {
        return LongRangeTask.length(pairs);
    }

    public LongRangeConfig withHeads(int h) {
        return new LongRangeConfig(pairs, width, h, trainSize, testPerDistance, batchSize, epochs, learningRate, seed, seeds);
    }

    public LongRangeConfig withEpochs(int n) {
        return new LongRangeConfig(pairs, width, heads, trainSize, testPerDistance, batchSize, n, learningRate, seed, seeds);
    }

    public LongRangeConfig withSeed(long s) {
        return new LongRangeConfig(pairs, width, heads, trainSize, testPerDistance, batchSize, epochs, learningRate, s, seeds);
    }

    /** The seeds of the notebook's runs: {@code seed, seed + 1, ..., seed + seeds - 1}. */
    public long[] seedList() {
        return java.util.stream.LongStream.range(seed, seed + seeds).toArray();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LongRangeConfig(pairs %d (%d tokens), width %d, heads %d, train %d, test %d "
            + "per distance, batch %d, epochs %d, lr %s, seed %d)", pairs, length(), width, heads, trainSize,
            testPerDistance, batchSize, epochs, learningRate, seed, seeds);
    }
}
