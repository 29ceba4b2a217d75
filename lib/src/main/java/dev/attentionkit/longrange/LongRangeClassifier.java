package dev.attentionkit.longrange;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.notebook.Progress;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.SinusoidalPositionalEncoding;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A sequence classifier for {@link LongRangeTask}, one of three {@link ClassifierKind}s, trained with Adam on the
 * cross-entropy:
 *
 * <pre>
 * x_t        E[token_t] + E'[token_{t-1}]  (E'-term 0 at t = 0)         [b, T, W]
 * LSTM_LAST       LSTM; LayerNorm: s_t; the last one                           [b, W]
 * LSTM_ATTENTION  LSTM; LayerNorm: s_t; query pooling                          [b, W]
 * TRANSFORMER     + sinusoidal PE; pre-LN block; LayerNorm: s_t; the last one  [b, W]
 * query pooling   w = softmax_t(q·k_t/√W), q = W_q s_T, k_t = W_k s_t;  pooled = Σ_t w_t s_t
 * logits     Linear                                                            [b, 10]
 * </pre>
 *
 * Every model reads each token together with the one before it (a second embedding E' of the previous token, a
 * width-2 convolution): a value then carries its key, and one attention step from the query key can find the pair.
 * (With tokens alone, a single layer of attention cannot: the key it matches does not know the value after it; it
 * takes two layers, the first copying each key into the next position.) The last token is the query key: the
 * transformer reads its state, where the block's attention has gathered what the query asked for; the
 * LSTM_ATTENTION pooling asks with it. Every part has its backward pass written out
 * ({@link Lstm}, {@link PreLnBlock} with {@link SelfAttentionStep},
 * {@link QueryPooling}): on SameDiff 1.0.0-M2.1 a training step of these models took several times longer,
 * too long for several seeds per model in a notebook. The gradients are checked against finite differences in
 * float64 ({@code LongRangeClassifierTest}).
 *
 * <p>The transformer's heads can also interact ({@link HeadInteraction}, chapter 12): talking heads that mix their
 * logits and weights, and learned gates that switch heads off; their backward passes are checked the same way
 * ({@code HeadInteractionTest}).
 */
public final class LongRangeClassifier {
    private static final double BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8;
    private static final int EVAL_CHUNK = 256;

    private final ClassifierKind kind;
    private final LongRangeConfig config;
    private final HeadInteraction interaction;
    private final DataType type;
    private final INDArray embedding;        // [V, W]
    private final INDArray previousEmbedding;// [V, W]: the token before, added to every position but the first
    private final INDArray positions;        // [T, W], TRANSFORMER only
    private final Lstm lstm;                 // LSTM_*
    private final PreLnBlock block;          // TRANSFORMER
    private final LayerNormStep lnFinal;     // on the states of every kind
    private final QueryPooling pooling;      // LSTM_ATTENTION, TRANSFORMER
    private final INDArray classifierWeight; // [10, W]
    private final INDArray classifierBias;   // [10]
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private final Map<String, INDArray> adamM = new LinkedHashMap<>();
    private final Map<String, INDArray> adamV = new LinkedHashMap<>();
    private final List<Double> batchLosses = new ArrayList<>();
    private int steps;
    // kept from the last forward pass
    private INDArray oneHot;                 // [b·T, V]
    private INDArray previousOneHot;         // [b·T, V]: row t is token t-1's, 0 at t = 0
    private INDArray pooled;                 // [b, W]

    private LongRangeClassifier(ClassifierKind kind, LongRangeConfig config, DataType type,
                                HeadInteraction interaction) {
        this.kind = kind;
        this.config = config;
        this.interaction = interaction;
        this.type = type;
        int t = config.length();
        int w = config.width();
        TorchRandom random = TorchRandom.manualSeed(config.seed());
        // Embedding rows of variance 1, as nn.Embedding starts: as strong as the positional encoding added to them.
        embedding = random.uniform(-Math.sqrt(3), Math.sqrt(3), LongRangeTask.vocabularySize(), w).castTo(type).dup('c');
        parameters.put("embedding", embedding);
        previousEmbedding = random.uniform(-Math.sqrt(3), Math.sqrt(3), LongRangeTask.vocabularySize(), w).castTo(type)
            .dup('c');
        parameters.put("previousEmbedding", previousEmbedding);
        if (kind == ClassifierKind.TRANSFORMER) {
            positions = SinusoidalPositionalEncoding.table(t, w).castTo(type).dup('c');
            block = new PreLnBlock(TransformerBlock.fromSeed(w, config.heads(), 4L * w, t, config.seed() + 1), type,
                interaction);
            block.parameters().forEach((k, v) -> parameters.put("block." + k, v));
            lstm = null;
        } else {
            positions = null;
            block = null;
            lstm = Lstm.init(w, w, random, type);
            lstm.parameters().forEach((k, v) -> parameters.put("lstm." + k, v));
        }
        lnFinal = new LayerNormStep(LayerNorm.of(w)).castTo(type);
        lnFinal.parameters().forEach((k, v) -> parameters.put("lnFinal." + k, v));
        if (kind != ClassifierKind.LSTM_ATTENTION) {
            pooling = null;
        } else {
            pooling = QueryPooling.init(w, random, type);
            pooling.parameters().forEach((k, v) -> parameters.put("pool." + k, v));
        }
        Linear head = Linear.init(w, LongRangeTask.CLASSES, true, random);
        classifierWeight = head.weight().castTo(type).dup('c');
        classifierBias = head.bias().orElseThrow().castTo(type).dup('c');
        parameters.put("classifier.weight", classifierWeight);
        parameters.put("classifier.bias", classifierBias);
        parameters.forEach((k, v) -> {
            adamM.put(k, Nd4j.zeros(type, v.shape()));
            adamV.put(k, Nd4j.zeros(type, v.shape()));
        });
    }

    /** A new, untrained classifier (float32). */
    public static LongRangeClassifier create(ClassifierKind kind, LongRangeConfig config) {
        return create(kind, config, DataType.FLOAT);
    }

    /**
     * A new, untrained TRANSFORMER classifier whose heads interact as {@code interaction} says (float32): talking heads,
     * gates, both, or {@link HeadInteraction#NONE} (the same as {@link #create(ClassifierKind, LongRangeConfig)}).
     */
    public static LongRangeClassifier create(ClassifierKind kind, LongRangeConfig config, HeadInteraction interaction) {
        return create(kind, config, DataType.FLOAT, interaction);
    }

    /** The same in {@code type} (float64 for gradient checks). */
    static LongRangeClassifier create(ClassifierKind kind, LongRangeConfig config, DataType type) {
        return create(kind, config, type, HeadInteraction.NONE);
    }

    static LongRangeClassifier create(ClassifierKind kind, LongRangeConfig config, DataType type,
                                      HeadInteraction interaction) {
        if (kind == null || config == null || interaction == null) {
            throw new IllegalArgumentException("LongRangeClassifier: kind, config and interaction are required");
        }
        if (!interaction.isNone() && kind != ClassifierKind.TRANSFORMER) {
            throw new IllegalArgumentException("LongRangeClassifier: " + interaction + " needs attention heads, "
                + "which only TRANSFORMER has, not " + kind);
        }
        if (config.width() % config.heads() != 0) {
            throw new IllegalArgumentException("LongRangeClassifier: width " + config.width()
                + " is not divisible by heads " + config.heads());
        }
        return new LongRangeClassifier(kind, config, type, interaction);
    }

    /**
     * Trains for {@code config.epochs()} epochs with a progress line.
     *
     * @return the mean training loss of each epoch's batches (every batch's loss: {@link #lossCurve()})
     * @throws dev.attentionkit.notebook.StoppedByInterrupt when the thread is interrupted (Interrupt in a notebook):
     *     before the next batch, keeping the weights of the last finished one
     */
    public List<Double> train(List<LongRangeExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("LongRangeClassifier.train: no examples");
        }
        List<LongRangeExample> data = new ArrayList<>(examples);
        Random random = new Random(config.seed());
        int batches = (data.size() + config.batchSize() - 1) / config.batchSize();
        List<Double> losses = new ArrayList<>();
        try (Progress progress = Progress.start("training " + kind, (long) config.epochs() * batches)) {
            String last = "";
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                Collections.shuffle(data, random);
                double sum = 0;
                for (int i = 0; i < batches; i++) {
                    stopIfInterrupted(progress, epoch, i, batches);
                    int from = i * config.batchSize();
                    sum += fitBatch(data.subList(from, Math.min(from + config.batchSize(), data.size())));
                    progress.step((long) (epoch - 1) * batches + i + 1,
                        String.format(Locale.ROOT, "epoch %d/%d %s", epoch, config.epochs(), last));
                }
                losses.add(sum / batches);
                last = String.format(Locale.ROOT, "| loss %.4f", losses.get(losses.size() - 1));
                progress.step((long) epoch * batches, String.format(Locale.ROOT, "epoch %d/%d %s", epoch,
                    config.epochs(), last));
            }
        }
        return List.copyOf(losses);
    }

    private void stopIfInterrupted(Progress progress, int epoch, int batch, int batches) {
        progress.stopIfInterrupted(() -> String.format(Locale.ROOT, "training %s interrupted after %d of %d epochs "
            + "(%d of %d batches into epoch %d); the model keeps the weights of the last finished batch",
            kind, epoch - 1, config.epochs(), batch, batches, epoch));
    }

    /**
     * One Adam step on {@code batch} (on the cross-entropy plus the gates' {@link #penalty()}, when there are gates).
     *
     * @return the batch's mean cross-entropy before the step (without the penalty)
     */
    public double fitBatch(List<LongRangeExample> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("LongRangeClassifier.fitBatch: empty batch");
        }
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        double loss = lossAndGradients(batch, gradients);
        steps++;
        double lr = config.learningRate() * Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps));
        for (Map.Entry<String, INDArray> e : parameters.entrySet()) {
            INDArray g = gradients.get(e.getKey());
            INDArray m = adamM.get(e.getKey()).muli(BETA1).addi(g.mul(1 - BETA1));
            INDArray v = adamV.get(e.getKey()).muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
            e.getValue().subi(m.div(Transforms.sqrt(v, true).addi(ADAM_EPS)).muli(lr));
        }
        batchLosses.add(loss);
        return loss;
    }

    /** Every training batch's loss so far, in order (one per Adam step). */
    public List<Double> lossCurve() {
        return List.copyOf(batchLosses);
    }

    /** Mean cross-entropy on {@code examples}. */
    public double loss(List<LongRangeExample> examples) {
        double sum = 0;
        for (List<LongRangeExample> chunk : chunks(examples)) {
            INDArray p = probabilities(chunk);
            for (int i = 0; i < chunk.size(); i++) {
                sum -= Math.log(Math.max(p.getDouble(i, chunk.get(i).label()), 1e-30));
            }
        }
        return sum / examples.size();
    }

    /** Predicted classes. */
    public int[] predict(List<LongRangeExample> examples) {
        int[] out = new int[examples.size()];
        int at = 0;
        for (List<LongRangeExample> chunk : chunks(examples)) {
            for (int c : logits(chunk).argMax(1).toIntVector()) {
                out[at++] = c;
            }
        }
        return out;
    }

    /** Fraction of {@code examples} classified right. */
    public double accuracy(List<LongRangeExample> examples) {
        int[] p = predict(examples);
        int right = 0;
        for (int i = 0; i < p.length; i++) {
            right += p[i] == examples.get(i).label() ? 1 : 0;
        }
        return (double) right / p.length;
    }

    /**
     * Where the query looks, for one example: {@code [1, T]} for LSTM_ATTENTION (the pooling weights), {@code [heads, T]}
     * for TRANSFORMER (each head's attention from the last token, the query key, to every token).
     */
    public INDArray queryWeights(LongRangeExample example) {
        if (kind == ClassifierKind.LSTM_LAST) {
            throw new IllegalStateException(kind + " has no attention");
        }
        logits(List.of(example));
        if (pooling != null) {
            return pooling.weights().castTo(DataType.FLOAT).dup();
        }
        long t = config.length();
        return block.lastWeights().get(NDArrayIndex.all(), NDArrayIndex.point(t - 1), NDArrayIndex.all())
            .castTo(DataType.FLOAT).dup();
    }

    /** The transformer block's self-attention weights {@code [heads, T, T]} for one example (TRANSFORMER only). */
    public INDArray blockWeights(LongRangeExample example) {
        requireBlock();
        logits(List.of(example));
        return block.lastWeights().castTo(DataType.FLOAT);
    }

    /**
     * Loss and accuracy with the outputs of the {@code pruned} heads set to 0 (TRANSFORMER only): their columns of
     * the output projection's weight are zeroed for the evaluation and restored afterwards.
     *
     * @return {@code [loss, accuracy]}
     */
    public double[] evaluateWithout(Set<Integer> pruned, List<LongRangeExample> examples) {
        requireBlock();
        for (int h : pruned) {
            if (h < 0 || h >= config.heads()) {
                throw new IllegalArgumentException("head " + h + " out of 0.." + (config.heads() - 1));
            }
        }
        INDArray outW = block.outProjection();                                  // [d, d]: input columns by head
        INDArray saved = outW.dup();
        long hd = config.width() / config.heads();
        try {
            for (int h : pruned) {
                outW.get(NDArrayIndex.all(), NDArrayIndex.interval(h * hd, (h + 1) * hd)).assign(0);
            }
            return new double[] {loss(examples), accuracy(examples)};
        } finally {
            outW.assign(saved);
        }
    }

    /** The trained transformer block as a plain {@link TransformerBlock} (TRANSFORMER only). */
    public TransformerBlock plainBlock() {
        requireBlock();
        return block.toPlain();
    }

    /**
     * The heads' gates {@code sigmoid(α_h)} now, {@code [heads]} (TRANSFORMER with gates only): near 0, the head is
     * switched off.
     */
    public double[] headGates() {
        requireBlock();
        double[] g = block.gateValues();
        if (g == null) {
            throw new IllegalStateException("this classifier has no gates (" + interaction + ")");
        }
        return g;
    }

    /** How the heads interact ({@link HeadInteraction#NONE} for the LSTMs and chapter 08's transformer). */
    public HeadInteraction interaction() {
        return interaction;
    }

    /** The gates' L1 penalty {@code gatePenalty · Σ_h g_h} that training adds to the cross-entropy (0 without gates). */
    public double penalty() {
        return block == null ? 0 : block.penalty();
    }

    private void requireBlock() {
        if (block == null) {
            throw new IllegalStateException(kind + " has no transformer block");
        }
    }

    public ClassifierKind kind() {
        return kind;
    }

    public LongRangeConfig config() {
        return config;
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(INDArray::length).sum();
    }

    /** The trainable arrays by name (live: changing them changes the model). */
    Map<String, INDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /**
     * Mean cross-entropy on {@code batch}; the gradient of it plus {@link #penalty()} for every parameter is put into
     * {@code gradients}.
     */
    double lossAndGradients(List<LongRangeExample> batch, Map<String, INDArray> gradients) {
        int b = batch.size(), t = config.length(), w = config.width();
        INDArray p = probabilities(batch);                                      // [b, 10]
        double loss = 0;
        INDArray dLogits = p.dup();
        for (int i = 0; i < b; i++) {
            int label = batch.get(i).label();
            loss -= Math.log(Math.max(p.getDouble(i, label), 1e-30));
            dLogits.putScalar(i, label, dLogits.getDouble(i, label) - 1);
        }
        dLogits.divi(b);
        INDArray dW = Nd4j.createUninitialized(type, LongRangeTask.CLASSES, w);
        Products.transposedTimes(dLogits, pooled, dW, 0);
        gradients.put("classifier.weight", dW);
        gradients.put("classifier.bias", dLogits.sum(0));
        INDArray dPooled = Nd4j.createUninitialized(type, b, w);
        Products.product(dLogits, classifierWeight, dPooled, 0);
        INDArray dStates;                                                       // [b, T, W]
        if (pooling == null) {
            dStates = Nd4j.zeros(type, b, t, w);
            Products.step(dStates, t - 1).assign(dPooled);
        } else {
            dStates = pooling.backward(dPooled);
            pooling.gradients().forEach((k, v) -> gradients.put("pool." + k, v));
        }
        INDArray dX;                                                            // [b, T, W]
        INDArray dY = lnFinal.backward(dStates.reshape('c', (long) b * t, w)).reshape('c', b, t, w);
        lnFinal.gradients().forEach((k, v) -> gradients.put("lnFinal." + k, v));
        if (block != null) {
            dX = block.backward(dY);
            block.gradients().forEach((k, v) -> gradients.put("block." + k, v));
        } else {
            dX = lstm.backward(dY);
            lstm.gradients().forEach((k, v) -> gradients.put("lstm." + k, v));
        }
        INDArray dE = Nd4j.createUninitialized(type, embedding.shape());
        INDArray dX2 = dX.reshape('c', (long) b * t, w);
        Products.transposedTimes(oneHot, dX2, dE, 0);
        gradients.put("embedding", dE);
        INDArray dPrevious = Nd4j.createUninitialized(type, previousEmbedding.shape());
        Products.transposedTimes(previousOneHot, dX2, dPrevious, 0);
        gradients.put("previousEmbedding", dPrevious);
        return loss / b;
    }

    private INDArray probabilities(List<LongRangeExample> batch) {
        INDArray z = logits(batch);
        z.subiColumnVector(z.max(1).reshape(batch.size(), 1));
        Transforms.exp(z, false);
        return z.diviColumnVector(z.sum(1).reshape(batch.size(), 1));
    }

    /** The forward pass; keeps what the backward pass needs. @return logits {@code [b, 10]} */
    private INDArray logits(List<LongRangeExample> batch) {
        int b = batch.size(), t = config.length(), w = config.width();
        oneHot = oneHot(batch, 0);
        previousOneHot = oneHot(batch, 1);
        INDArray x2 = Nd4j.createUninitialized(type, (long) b * t, w);
        Products.product(oneHot, embedding, x2, 0);
        Products.product(previousOneHot, previousEmbedding, x2, 1);
        INDArray x = x2.reshape('c', b, t, w);                                  // [b, T, W]
        INDArray y;
        if (block != null) {
            Broadcast.add(x, positions, x, 1, 2);
            y = block.forward(x);
        } else {
            y = lstm.forward(x);
        }
        INDArray states = lnFinal.forward(y.reshape('c', (long) b * t, w)).reshape('c', b, t, w);
        pooled = pooling == null ? Products.step(states, t - 1).dup('c') : pooling.forward(states);   // [b, W]
        INDArray z = Nd4j.createUninitialized(type, b, LongRangeTask.CLASSES);
        Products.timesTransposed(pooled, classifierWeight, z, 0);
        return z.addiRowVector(classifierBias);
    }

    /** Row {@code i·T + s} is the one-hot of token {@code s - shift} of example i (0 before the first token). */
    private INDArray oneHot(List<LongRangeExample> examples, int shift) {
        int t = config.length(), v = LongRangeTask.vocabularySize();
        double[] x = new double[examples.size() * t * v];
        for (int i = 0; i < examples.size(); i++) {
            int[] tokens = examples.get(i).tokens();
            if (tokens.length != t) {
                throw new IllegalArgumentException("LongRangeClassifier: expected sequences of " + t
                    + " tokens (" + config.pairs() + " pairs), got " + tokens.length);
            }
            for (int s = shift; s < t; s++) {
                x[(i * t + s) * v + tokens[s - shift]] = 1;
            }
        }
        return Nd4j.create(x, new long[] {(long) examples.size() * t, v}, 'c').castTo(type);
    }

    private static List<List<LongRangeExample>> chunks(List<LongRangeExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("LongRangeClassifier: no examples");
        }
        List<List<LongRangeExample>> out = new ArrayList<>();
        for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
            out.add(examples.subList(from, Math.min(from + EVAL_CHUNK, examples.size())));
        }
        return out;
    }

    @Override
    public String toString() {
        return "LongRangeClassifier(" + kind + (interaction.isNone() ? "" : ", " + interaction) + ", "
            + parameterCount() + " parameters)";
    }
}
