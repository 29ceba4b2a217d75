package dev.attentionkit.seq2seq;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.data.DateExample;
import dev.attentionkit.nn.TorchRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A recurrent encoder–decoder that rewrites dates as ISO {@code YYYY-MM-DD}, on SameDiff:
 *
 * <pre>
 * source    one-hot characters, right-aligned          [b, Tx, Vin]
 * encoder   {@link BidirectionalLstmEncoder}            [b, Tx, 2·He]   the annotations h_j (keys and values)
 * decoder   one of {@link BahdanauDecoder}, {@link LuongDecoder} (general, dot, location) or {@link ChoDecoder}
 *           (no attention), unrolled over Ty = 10 output characters
 * logits                                              [b, Ty, Vout]
 * weights   attention of every output character       [b, Ty, Tx]     (not for {@link ChoDecoder})
 * </pre>
 *
 * The graph holds the decoder twice, sharing every weight: once with <b>teacher forcing</b> (step t reads the true
 * character t−1; the loss and training use this one) and once with <b>greedy decoding</b> (step t reads the
 * model's own most likely character t−1; {@link #translate} uses this one, in a single pass).
 */
public final class DateTranslator {
    /** Output characters it writes. */
    public static final int TARGET_LENGTH = dev.attentionkit.data.DateDataset.OUTPUT_LENGTH;

    private final Seq2SeqConfig config;
    private final CharVocabulary source;
    private final CharVocabulary target;
    private final SameDiff sd;
    private final BidirectionalLstmEncoder encoder;
    private final RecurrentDecoder decoder;
    private final String greedy;           // [b, Ty] character ids
    private final String weights;          // [b, Ty, Tx] of the greedy pass, only with attention
    private final String loss;

    private DateTranslator(Seq2SeqConfig config, CharVocabulary source, CharVocabulary target) {
        this.config = config;
        this.source = source;
        this.target = target;
        this.sd = SameDiff.create();
        TorchRandom random = TorchRandom.manualSeed(config.seed());
        int vIn = source.size();
        int vOut = target.size();
        int tx = config.sourceLength();
        long c = 2L * config.encoderHidden();
        int hd = config.decoderHidden();
        int e = config.embedding();

        SDVariable src = sd.placeHolder("source", DataType.FLOAT, -1, tx, vIn);
        SDVariable decIn = sd.placeHolder("decoderInput", DataType.FLOAT, -1, TARGET_LENGTH, vOut);
        SDVariable tgt = sd.placeHolder("target", DataType.FLOAT, -1, TARGET_LENGTH, vOut);

        encoder = BidirectionalLstmEncoder.from(sd, "encoder",
            BidirectionalLstmEncoder.Weights.fromSeed(vIn, e, config.encoderHidden(), random));
        decoder = switch (config.attention()) {
            case BAHDANAU -> BahdanauDecoder.from(sd, "decoder",
                BahdanauDecoder.Weights.fromSeed(vOut, e, c, hd, config.attentionHidden(), random));
            case LUONG -> luong(LuongDecoder.Score.GENERAL, vOut, e, c, hd, tx, random);
            case LUONG_DOT -> luong(LuongDecoder.Score.DOT, vOut, e, c, hd, tx, random);
            case LUONG_LOCATION -> luong(LuongDecoder.Score.LOCATION, vOut, e, c, hd, tx, random);
            case NONE -> ChoDecoder.from(sd, "decoder", ChoDecoder.Weights.fromSeed(vOut, e, c, hd, random));
        };
        EncoderStates states = encoder.encode(src);

        // Teacher forcing: step t reads the true character t-1 (padding, index 0, at the start).
        SDVariable[] previous = sd.unstack(decIn, 1, TARGET_LENGTH);                     // Ty × [b, Vout]
        SDVariable[] logits = new SDVariable[TARGET_LENGTH];
        RecurrentDecoder.State state = decoder.start(states);
        for (int t = 0; t < TARGET_LENGTH; t++) {
            RecurrentDecoder.Step step = decoder.step(state, previous[t], states);
            logits[t] = step.logits();
            state = step.state();
        }
        SDVariable allLogits = sd.identity("logits", sd.stack(1, logits));                 // [b, Ty, Vout]
        SDVariable l = sd.loss.softmaxCrossEntropy("loss", tgt.reshape(-1, vOut), allLogits.reshape(-1, vOut), null);
        l.markAsLoss();
        loss = l.name();

        // Greedy decoding: step t reads the argmax of step t-1. Not on the loss's path, so it gets no gradient.
        SDVariable[] ids = new SDVariable[TARGET_LENGTH];
        SDVariable[] alphas = new SDVariable[TARGET_LENGTH];
        SDVariable character = previous[0];
        state = decoder.start(states);
        for (int t = 0; t < TARGET_LENGTH; t++) {
            RecurrentDecoder.Step step = decoder.step(state, character, states);
            ids[t] = sd.argmax(step.logits(), 1);                                            // [b]
            alphas[t] = step.weights();
            character = sd.oneHot(ids[t], vOut, -1, 1.0, 0.0, DataType.FLOAT);             // [b, Vout]
            state = step.state();
        }
        greedy = sd.identity("greedy", sd.stack(1, ids)).name();                            // [b, Ty]
        weights = alphas[0] == null ? null : sd.identity("weights", sd.stack(1, alphas)).name();   // [b, Ty, Tx]
        sd.setTrainingConfig(TrainingConfig.builder()
            .updater(new Adam(config.learningRate()))
            .dataSetFeatureMapping("source", "decoderInput")
            .dataSetLabelMapping("target")
            .build());
        // Build the backward graph now, without the line per operation SameDiff M2.1 prints to System.out.
        quietly(sd::createGradFunction);
    }

    private RecurrentDecoder luong(LuongDecoder.Score score, int vOut, int e, long c, int hd, int tx, TorchRandom random) {
        return LuongDecoder.from(sd, "decoder", LuongDecoder.Weights.fromSeed(score, vOut, e, c, hd, tx, random));
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

    /** The teacher-forced pass's logits {@code [n, Ty, Vout]}: step t reads the answer's character t−1. */
    INDArray teacherForcedLogits(List<DateExample> examples) {
        Batch b = batch(examples);
        return sd.output(Map.of("source", b.source, "decoderInput", b.decoderInput), "logits").get("logits");
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
        INDArray decIn = Nd4j.zeros(DataType.FLOAT, n, TARGET_LENGTH, target.size());
        for (int i = 0; i < n; i++) {
            decIn.putScalar(new long[] {i, 0, 0}, 1f);                 // the start symbol; later steps read their own
        }
        List<String> wanted = weights == null ? List.of(greedy) : List.of(greedy, weights);
        Map<String, INDArray> out = sd.output(Map.of("source", oneHotSource(humans), "decoderInput", decIn), wanted);
        INDArray ids = out.get(greedy);                                                       // [n, Ty]
        List<String> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] row = new int[TARGET_LENGTH];
            for (int t = 0; t < TARGET_LENGTH; t++) {
                row[t] = ids.getInt(i, t);
            }
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
        INDArray src = Nd4j.zeros(DataType.FLOAT, humans.size(), config.sourceLength(), source.size());
        for (int i = 0; i < humans.size(); i++) {
            int[] ids = alignRight(source, humans.get(i));
            for (int t = 0; t < config.sourceLength(); t++) {
                src.putScalar(new long[] {i, t, ids[t]}, 1f);
            }
        }
        return src;
    }

    /** Padding first, then the characters: the forward LSTM ends right after the last character. */
    private int[] alignRight(CharVocabulary vocabulary, String text) {
        int tx = config.sourceLength();
        int[] left = vocabulary.encode(text, tx);
        int[] right = new int[tx];
        System.arraycopy(left, 0, right, tx - text.length(), text.length());
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
     * The trained score written back into its plain module: an {@link dev.attentionkit.score.AdditiveScore}
     * (Bahdanau) or a {@link dev.attentionkit.score.MultiplicativeScore} (Luong's general score), or null for the
     * others.
     */
    public dev.attentionkit.score.ScoreFunction plainScore() {
        if (decoder instanceof BahdanauDecoder b) {
            return b.score();
        }
        return decoder instanceof LuongDecoder l ? l.generalScore() : null;
    }

    /** The encoder (its weights: {@code encoder().weights()}). */
    public BidirectionalLstmEncoder encoder() {
        return encoder;
    }

    /** The decoder: a {@link BahdanauDecoder}, {@link LuongDecoder} or {@link ChoDecoder}. */
    public RecurrentDecoder decoder() {
        return decoder;
    }

    /** Input positions {@code Tx}. */
    public int sourceLength() {
        return config.sourceLength();
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return sd.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
            .mapToLong(v -> v.getArr().length()).sum();
    }

    @Override
    public String toString() {
        return "DateTranslator(" + config.attention() + ", " + parameterCount() + " parameters, Tx " + config.sourceLength() + ")";
    }
}
