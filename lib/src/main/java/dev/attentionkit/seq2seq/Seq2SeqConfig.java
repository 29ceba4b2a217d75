package dev.attentionkit.seq2seq;

import dev.attentionkit.notebook.Profile;
import java.util.Locale;

/**
 * Everything that defines a date-translation run: data sizes, model sizes and training settings.
 *
 * @param attention      which score the decoder uses, or none
 * @param embedding      character embedding size (input and output)
 * @param encoderHidden  LSTM size per direction (the encoder is bidirectional: states have {@code 2·encoderHidden})
 * @param decoderHidden  decoder LSTM size
 * @param attentionHidden hidden size {@code h} of the additive score (unused by the others)
 * @param trainSize      training examples
 * @param validationSize validation examples (accuracy after each epoch)
 * @param testSize       test examples (final accuracy)
 * @param batchSize      examples per Adam step
 * @param epochs         passes over the training set
 * @param learningRate   Adam's step size
 * @param seed           data, initial weights and shuffling
 */
public record Seq2SeqConfig(AttentionKind attention, int embedding, int encoderHidden, int decoderHidden,
                            int attentionHidden, int trainSize, int validationSize, int testSize, int batchSize,
                            int epochs, double learningRate, long seed) {

    /** The configuration the notebook trains by default. */
    public static Seq2SeqConfig full() {
        return new Seq2SeqConfig(AttentionKind.BAHDANAU, 16, 32, 64, 32, 10_000, 500, 1_000, 64, 4, 0.01, 42);
    }

    /**
     * A small run for continuous integration (notebook 07 in about a minute and a half): attention reaches about
     * 80% exact match, no attention about 1%, enough to see the gap.
     */
    public static Seq2SeqConfig ci() {
        return new Seq2SeqConfig(AttentionKind.BAHDANAU, 16, 32, 64, 32, 3_000, 200, 300, 64, 3, 0.01, 42);
    }

    /** {@link #ci()} if {@code ATTENTION_KIT_PROFILE=ci}, otherwise {@link #full()}. */
    public static Seq2SeqConfig fromEnvironment() {
        return isCi() ? ci() : full();
    }

    /** Whether {@code ATTENTION_KIT_PROFILE=ci} is set; the same as {@link Profile#isCi()}. */
    public static boolean isCi() {
        return Profile.isCi();
    }

    public Seq2SeqConfig withAttention(AttentionKind kind) {
        return new Seq2SeqConfig(kind, embedding, encoderHidden, decoderHidden, attentionHidden, trainSize,
            validationSize, testSize, batchSize, epochs, learningRate, seed);
    }

    public Seq2SeqConfig withEpochs(int n) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, trainSize,
            validationSize, testSize, batchSize, n, learningRate, seed);
    }

    public Seq2SeqConfig withSizes(int train, int validation, int test) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, train,
            validation, test, batchSize, epochs, learningRate, seed);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Seq2SeqConfig(%s, emb %d, enc 2×%d, dec %d, att %d, data %d/%d/%d, "
                + "batch %d, epochs %d, lr %s, seed %d)", attention, embedding, encoderHidden, decoderHidden,
            attentionHidden, trainSize, validationSize, testSize, batchSize, epochs, learningRate, seed);
    }
}
