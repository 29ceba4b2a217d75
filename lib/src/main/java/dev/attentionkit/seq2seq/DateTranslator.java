package dev.attentionkit.seq2seq;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.data.DateDataset;
import dev.attentionkit.data.DateExample;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.score.MultiplicativeScore;
import dev.attentionkit.train.TrainableAdditiveScore;
import dev.attentionkit.train.TrainableLinear;
import dev.attentionkit.train.TrainableMultiplicativeScore;
import dev.attentionkit.train.TrainableScaledDotProductAttention;
import dev.attentionkit.train.TrainableScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A sequence-to-sequence model that rewrites dates as ISO {@code YYYY-MM-DD}, on SameDiff:
 *
 * <pre>
 * source    one-hot characters, right-aligned            [b, Tx, Vin]     (Tx = 30)
 * encoder   embedding, bidirectional LSTM                [b, Tx, 2·He]    the keys and values
 * queries   tanh(embed(y_{t-1}) + position_t)            [b, Ty, Hd]      (Ty = 10), all steps at once
 * weights   softmax(score(queries, keys), padding → 0)   [b, Ty, Tx]      Bahdanau or Luong score
 * context   weights · keys                               [b, Ty, 2·He]    (NONE: the encoder's final states)
 * hidden    tanh(W_q queries + W_c context + b)          [b, Ty, Hd]
 * logits    W_out hidden + b_out                         [b, Ty, Vout]
 * </pre>
 *
 * The decoder has no recurrence: step t knows its position and the previous character, and finds
 * everything else by attention. That keeps the SameDiff graph small (about 70 operations), which matters more
 * for speed on a CPU than the arithmetic. Without attention the same decoder gets one fixed-size summary.
 *
 * Training uses teacher forcing (the decoder reads the true previous character); {@link #translate} decodes
 * greedily, feeding back its own previous character. The attention and the score layers are the kit's
 * {@link dev.attentionkit.train} modules built from the plain {@link AdditiveScore} / {@link MultiplicativeScore}.
 */
public final class DateTranslator {
    /** Input characters the model reads (inputs are right-aligned, padded on the left). */
    public static final int SOURCE_LENGTH = DateDataset.MAX_INPUT_LENGTH;
    /** Output characters it writes. */
    public static final int TARGET_LENGTH = DateDataset.OUTPUT_LENGTH;

    private final Seq2SeqConfig config;
    private final CharVocabulary source;
    private final CharVocabulary target;
    private final SameDiff sd;
    private final TrainableScore score;     // null without attention
    private final String logits;           // [b, Ty, Vout]
    private final String weights;          // [b, Ty, Tx], only with attention
    private final String loss;

    private DateTranslator(Seq2SeqConfig config, CharVocabulary source, CharVocabulary target) {
        this.config = config;
        this.source = source;
        this.target = target;
        this.sd = SameDiff.create();
        TorchRandom random = TorchRandom.manualSeed(config.seed());
        int vIn = source.size();
        int vOut = target.size();
        int e = config.embedding();
        int he = config.encoderHidden();
        int c = 2 * he;
        int hd = config.decoderHidden();

        SDVariable src = sd.placeHolder("source", DataType.FLOAT, -1, SOURCE_LENGTH, vIn);
        SDVariable decIn = sd.placeHolder("decoderInput", DataType.FLOAT, -1, TARGET_LENGTH, vOut);
        SDVariable tgt = sd.placeHolder("target", DataType.FLOAT, -1, TARGET_LENGTH, vOut);

        // Encoder: embedding (a bias-free Linear applied to one-hot rows), then a bidirectional LSTM.
        TrainableLinear sourceEmbed = TrainableLinear.from(sd, "embed.source", Linear.init(vIn, e, false, random));
        SDVariable x = sourceEmbed.forward(src);                                           // [b, Tx, E]
        double bound = 1 / Math.sqrt(he);
        LSTMLayerWeights lstm = LSTMLayerWeights.builder()
            .weights(sd.var("encoder.inputWeights", random.uniform(-bound, bound, 2, e, 4L * he)))
            .rWeights(sd.var("encoder.recurrentWeights", random.uniform(-bound, bound, 2, he, 4L * he)))
            .bias(sd.var("encoder.bias", random.uniform(-bound, bound, 2, 4L * he)))
            .build();
        LSTMLayerConfig lstmConfig = LSTMLayerConfig.builder()
            .lstmdataformat(LSTMDataFormat.NTS).directionMode(LSTMDirectionMode.BIDIR_CONCAT)
            .retFullSequence(true).retLastH(false).retLastC(false).build();
        SDVariable keys = sd.rnn.lstmLayer(x, lstm, lstmConfig)[0];                        // [b, Tx, 2·He]
        // The final states: forward direction after the last character, backward after the first position.
        // Selected by a 0/1 mask and a sum rather than by slicing: strided_slice's gradient fails in M2.1.
        INDArray finalStates = Nd4j.zeros(DataType.FLOAT, 1, SOURCE_LENGTH, c);
        finalStates.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.point(SOURCE_LENGTH - 1),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, he)).assign(1);
        finalStates.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(he, c)).assign(1);
        SDVariable summary = keys.mul(sd.constant("encoder.finalStates", finalStates)).sum(1);  // [b, 2·He]
        // Padding gets a score of -1e9, so it gets no attention.
        SDVariable padding = src.get(SDIndex.all(), SDIndex.all(), SDIndex.point(0))
            .mul(TrainableScaledDotProductAttention.BLOCKED);                              // [b, Tx]
        SDVariable blocked = sd.expandDims(padding, 1);                                    // [b, 1, Tx]

        // Decoder, all Ty steps at once: step t's query mixes its position with the previous character.
        TrainableLinear targetEmbed = TrainableLinear.from(sd, "embed.target", Linear.init(vOut, hd, false, random));
        SDVariable positions = sd.var("decoder.positions", random.uniform(-1, 1, TARGET_LENGTH, hd));   // [Ty, Hd]
        TrainableLinear mixQuery = TrainableLinear.from(sd, "decoder.mixQuery", Linear.init(hd, hd, true, random));
        TrainableLinear mixContext = TrainableLinear.from(sd, "decoder.mixContext", Linear.init(c, hd, false, random));
        TrainableLinear out = TrainableLinear.from(sd, "decoder.out", Linear.init(hd, vOut, true, random));
        long seed = config.seed();
        score = switch (config.attention()) {
            case BAHDANAU -> TrainableAdditiveScore.from(sd, "attention",
                AdditiveScore.fromSeed(hd, c, config.attentionHidden(), seed + 1));
            case LUONG -> TrainableMultiplicativeScore.from(sd, "attention", MultiplicativeScore.fromSeed(hd, c, seed + 1));
            case NONE -> null;
        };

        SDVariable queries = sd.math.tanh(targetEmbed.forward(decIn).add(positions));       // [b, Ty, Hd]
        SDVariable context;
        SDVariable w = null;
        if (score == null) {
            context = sd.expandDims(summary, 1);                                            // [b, 1, 2·He], every step
        } else {
            SDVariable s = score.scores(queries, keys).add(blocked);                        // [b, Ty, Tx]
            w = sd.nn.softmax(s, -1);                                                       // [b, Ty, Tx]
            context = sd.mmul(w, keys);                                                     // [b, Ty, 2·He]
        }
        // [b, Ty, Hd] + [b, Ty or 1, Hd]: without attention the one summary broadcasts over the steps.
        SDVariable hidden = sd.math.tanh(mixQuery.forward(queries).add(mixContext.forward(context)));
        SDVariable allLogits = sd.identity("logits", out.forward(hidden));                  // [b, Ty, Vout]
        logits = allLogits.name();
        weights = w == null ? null : sd.identity("weights", w).name();                      // [b, Ty, Tx]
        SDVariable l = sd.loss.softmaxCrossEntropy("loss", tgt.reshape(-1, vOut), allLogits.reshape(-1, vOut), null);
        l.markAsLoss();
        loss = l.name();
        sd.setTrainingConfig(TrainingConfig.builder()
            .updater(new Adam(config.learningRate()))
            .dataSetFeatureMapping("source", "decoderInput")
            .dataSetLabelMapping("target")
            .build());
        // Build the backward graph now, without the line per operation SameDiff M2.1 prints to System.out.
        quietly(sd::createGradFunction);
    }

    private static void quietly(Runnable action) {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            action.run();
        } finally {
            System.setOut(out);
        }
    }

    /**
     * Writes the configuration, the input vocabulary and every weight (ND4J's binary array format,
     * {@code Nd4j.write}) to {@code file}.
     *
     * @throws IllegalStateException if {@code file} exists: delete it first, nothing is overwritten silently
     */
    public void save(java.nio.file.Path file) {
        ModelFile.save(this, file);
    }

    /**
     * The model saved in {@code file}, ready to translate.
     *
     * @throws IllegalArgumentException naming the file if it is missing, not a saved model, or corrupt
     */
    public static DateTranslator load(java.nio.file.Path file) {
        return ModelFile.load(file, null);
    }

    /**
     * The model saved in {@code file}, which must have been trained with {@code expected}.
     *
     * @throws IllegalArgumentException naming the file and both configurations if they differ
     */
    public static DateTranslator load(java.nio.file.Path file, Seq2SeqConfig expected) {
        return ModelFile.load(file, expected);
    }

    /** A new, untrained model for {@code config} with the given vocabularies. */
    public static DateTranslator create(Seq2SeqConfig config, CharVocabulary source, CharVocabulary target) {
        return new DateTranslator(config, source, target);
    }

    /** One Adam step on a batch (teacher forcing). */
    public void fitBatch(List<DateExample> batch) {
        Batch b = batch(batch);
        sd.fit(new MultiDataSet(new INDArray[] {b.source, b.decoderInput}, new INDArray[] {b.target}));
    }

    /**
     * The mean cross-entropy per output character on {@code examples}, with teacher forcing, computed here
     * rather than taken from SameDiff's listeners (which report 0 in 1.0.0-M2.1).
     */
    public double loss(List<DateExample> examples) {
        Batch b = batch(examples);
        return sd.output(Map.of("source", b.source, "decoderInput", b.decoderInput, "target", b.target), loss)
            .get(loss).getDouble(0);
    }

    /** Greedy decoding: the most likely character at each step, fed back as the next step's input. */
    public List<String> translate(List<String> humans) {
        return decode(humans).outputs();
    }

    /**
     * What the model writes for one input, with the attention weights of every output character.
     *
     * @return the output and weights {@code [Ty, Tx]} (row t: how much output character t looked at each input
     *         position; right-aligned input, so padding comes first), or null weights without attention
     */
    public Translation explain(String human) {
        Decoded d = decode(List.of(human));
        INDArray w = d.weights == null ? null : d.weights.get(
            org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        return new Translation(human, d.outputs().get(0), w, source.decode(alignRight(source, human)));
    }

    /** The fraction of {@code examples} translated exactly right (all ten characters). */
    public double accuracy(List<DateExample> examples) {
        List<String> out = translate(examples.stream().map(DateExample::human).toList());
        return ExactMatch.accuracy(out, examples.stream().map(DateExample::iso).toList());
    }

    private record Decoded(List<String> outputs, INDArray weights) {}

    private Decoded decode(List<String> humans) {
        int n = humans.size();
        INDArray src = oneHotSource(humans);
        INDArray decIn = Nd4j.zeros(DataType.FLOAT, n, TARGET_LENGTH, target.size());
        int[][] ids = new int[n][TARGET_LENGTH];
        Map<String, INDArray> out = null;
        for (int t = 0; t < TARGET_LENGTH; t++) {
            // Step t only depends on inputs 0..t, so one pass per step fills in the sequence.
            for (int i = 0; i < n; i++) {
                decIn.putScalar(new long[] {i, t, t == 0 ? 0 : ids[i][t - 1]}, 1f);
            }
            List<String> wanted = weights == null || t < TARGET_LENGTH - 1 ? List.of(logits) : List.of(logits, weights);
            out = sd.output(Map.of("source", src, "decoderInput", decIn), wanted);
            INDArray best = out.get(logits).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all())
                .argMax(1);                                                                 // [n]
            for (int i = 0; i < n; i++) {
                ids[i][t] = best.getInt(i);
            }
        }
        List<String> texts = new ArrayList<>(n);
        for (int[] row : ids) {
            texts.add(target.decode(row));
        }
        return new Decoded(texts, weights == null ? null : out.get(weights));
    }

    private record Batch(INDArray source, INDArray decoderInput, INDArray target) {}

    private Batch batch(List<DateExample> examples) {
        int n = examples.size();
        INDArray src = oneHotSource(examples.stream().map(DateExample::human).toList());
        INDArray decIn = Nd4j.zeros(DataType.FLOAT, n, TARGET_LENGTH, target.size());
        INDArray tgt = Nd4j.zeros(DataType.FLOAT, n, TARGET_LENGTH, target.size());
        for (int i = 0; i < n; i++) {
            int[] ids = target.encode(examples.get(i).iso(), TARGET_LENGTH);
            for (int t = 0; t < TARGET_LENGTH; t++) {
                tgt.putScalar(new long[] {i, t, ids[t]}, 1f);
                // Teacher forcing: step t reads the true character t-1 (padding, index 0, starts).
                decIn.putScalar(new long[] {i, t, t == 0 ? 0 : ids[t - 1]}, 1f);
            }
        }
        return new Batch(src, decIn, tgt);
    }

    private INDArray oneHotSource(List<String> humans) {
        INDArray src = Nd4j.zeros(DataType.FLOAT, humans.size(), SOURCE_LENGTH, source.size());
        for (int i = 0; i < humans.size(); i++) {
            int[] ids = alignRight(source, humans.get(i));
            for (int t = 0; t < SOURCE_LENGTH; t++) {
                src.putScalar(new long[] {i, t, ids[t]}, 1f);
            }
        }
        return src;
    }

    /** Padding first, then the characters: the forward LSTM ends right after the last character. */
    private static int[] alignRight(CharVocabulary vocabulary, String text) {
        int[] left = vocabulary.encode(text, SOURCE_LENGTH);
        int[] right = new int[SOURCE_LENGTH];
        System.arraycopy(left, 0, right, SOURCE_LENGTH - text.length(), text.length());
        return right;
    }

    /** The SameDiff graph (variables named {@code embed.source.weight}, {@code attention.wQ.weight}, ...). */
    public SameDiff sameDiff() {
        return sd;
    }

    public Seq2SeqConfig config() {
        return config;
    }

    public CharVocabulary sourceVocabulary() {
        return source;
    }

    public CharVocabulary targetVocabulary() {
        return target;
    }

    /**
     * The trained score written back into its plain module: an {@link AdditiveScore} (Bahdanau) or a
     * {@link MultiplicativeScore} (Luong), or null without attention.
     */
    public dev.attentionkit.score.ScoreFunction plainScore() {
        if (score instanceof TrainableAdditiveScore a) {
            return a.toPlain();
        }
        return score instanceof TrainableMultiplicativeScore m ? m.toPlain() : null;
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return sd.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
            .mapToLong(v -> v.getArr().length()).sum();
    }

    @Override
    public String toString() {
        return "DateTranslator(" + config.attention() + ", " + parameterCount() + " parameters)";
    }
}
