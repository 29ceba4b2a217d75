package dev.attentionkit.seq2seq;

import dev.attentionkit.notebook.Profile;
import java.util.Locale;

/**
 * Everything that defines a date-translation run: data sizes, model sizes and training settings.
 *
 * @param attention      which decoder, and how it attends
 * @param embedding      character embedding size (input and output)
 * @param encoderHidden  GRU size per direction (the encoder is bidirectional: its states have {@code 2·encoderHidden})
 * @param decoderHidden  decoder GRU size
 * @param attentionHidden hidden size of Bahdanau's additive score (unused by the others)
 * @param sourceLength   input positions {@code Tx}: the longest input the model reads
 * @param trainSize      training examples
 * @param validationSize validation examples (accuracy after each epoch)
 * @param testSize       test examples (final accuracy)
 * @param batchSize      examples per Adam step
 * @param epochs         passes over the training set
 * @param learningRate   Adam's step size
 * @param seed           data, initial weights and shuffling
 */
public record Seq2SeqConfig(AttentionKind attention, int embedding, int encoderHidden, int decoderHidden,
                            int attentionHidden, int sourceLength, int trainSize, int validationSize, int testSize,
                            int batchSize, int epochs, double learningRate, long seed) {

    public Seq2SeqConfig {
        if (embedding <= 0 || encoderHidden <= 0 || decoderHidden <= 0 || attentionHidden <= 0 || batchSize <= 0
            || epochs < 0 || sourceLength <= 0) {
            throw new IllegalArgumentException("sizes must be positive (epochs ≥ 0): embedding " + embedding
                + ", encoderHidden " + encoderHidden + ", decoderHidden " + decoderHidden + ", attentionHidden "
                + attentionHidden + ", sourceLength " + sourceLength + ", batchSize " + batchSize + ", epochs " + epochs);
        }
        if (attention == AttentionKind.LUONG_DOT && decoderHidden != 2 * encoderHidden) {
            throw new IllegalArgumentException("Luong's dot score needs decoderHidden = 2 × encoderHidden, got "
                + decoderHidden + " and " + encoderHidden);
        }
    }

    /**
     * A {@link DateTranslator} configuration for dates in sentences of up to 40 characters ({@code TrainDateTranslator}
     * trains it); chapter 07's length study uses {@link LengthStudy#full()}.
     */
    public static Seq2SeqConfig full() {
        return new Seq2SeqConfig(AttentionKind.BAHDANAU, 16, 32, 64, 32, 40, 2_500, 100, 500, 64, 3, 0.01, 42);
    }

    /** A small run for continuous integration: it checks that everything runs, far from the full accuracy. */
    public static Seq2SeqConfig ci() {
        return new Seq2SeqConfig(AttentionKind.BAHDANAU, 16, 32, 64, 32, 40, 600, 50, 100, 64, 1, 0.01, 42);
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
        return new Seq2SeqConfig(kind, embedding, encoderHidden, decoderHidden, attentionHidden, sourceLength,
            trainSize, validationSize, testSize, batchSize, epochs, learningRate, seed);
    }

    public Seq2SeqConfig withEpochs(int n) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, sourceLength,
            trainSize, validationSize, testSize, batchSize, n, learningRate, seed);
    }

    public Seq2SeqConfig withSizes(int train, int validation, int test) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, sourceLength,
            train, validation, test, batchSize, epochs, learningRate, seed);
    }

    public Seq2SeqConfig withSeed(long s) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, sourceLength,
            trainSize, validationSize, testSize, batchSize, epochs, learningRate, s);
    }

    public Seq2SeqConfig withSourceLength(int tx) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, tx,
            trainSize, validationSize, testSize, batchSize, epochs, learningRate, seed);
    }

    public Seq2SeqConfig withModelSizes(int emb, int encoder, int decoder, int attentionSize) {
        return new Seq2SeqConfig(attention, emb, encoder, decoder, attentionSize, sourceLength,
            trainSize, validationSize, testSize, batchSize, epochs, learningRate, seed);
    }

    public Seq2SeqConfig withBatchSize(int n) {
        return new Seq2SeqConfig(attention, embedding, encoderHidden, decoderHidden, attentionHidden, sourceLength,
            trainSize, validationSize, testSize, n, epochs, learningRate, seed);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Seq2SeqConfig(%s, emb %d, enc 2×%d, dec %d, att %d, Tx %d, data %d/%d/%d, "
                + "batch %d, epochs %d, lr %s, seed %d)", attention, embedding, encoderHidden, decoderHidden,
            attentionHidden, sourceLength, trainSize, validationSize, testSize, batchSize, epochs, learningRate, seed);
    }
}
