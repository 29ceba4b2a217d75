package dev.attentionkit.longrange;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.notebook.Progress;
import dev.attentionkit.train.TrainableAttentionOutput;
import dev.attentionkit.train.TrainableLayerNorm;
import dev.attentionkit.train.TrainableLinear;
import dev.attentionkit.train.TrainableTransformerBlock;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.SinusoidalPositionalEncoding;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A sequence classifier for {@link LongRangeTask}, one of three {@link ClassifierKind}s, on SameDiff with Adam:
 *
 * <pre>
 * tokens     one-hot                                        [b, T, V]
 * embedding  bias-free Linear                               [b, T, W]
 * LSTM_LAST       LSTM states; the last one                                   [b, W]
 * LSTM_ATTENTION  LSTM states s_t;                         attention pooling  [b, W]
 * TRANSFORMER     + sinusoidal PE; pre-LN block; LayerNorm: s_t; attention pooling  [b, W]
 * attention pooling: w = softmax_t(v·s_t + c)  [b, T];  pooled = Σ_t w_t s_t   [b, W]
 * logits     Linear                                         [b, 4]
 * </pre>
 *
 * Attention pooling is one learned query over all states: where its weights land shows which token decided.
 * (With mean pooling instead, one block learned this task far more slowly: the marked value has to be singled
 * out by the feed-forward network before averaging.) The loss is computed with {@code sd.output} (SameDiff 1.0.0-M2.1's listeners report 0).
 */
public final class LongRangeClassifier {
    private static final String BLOCK = "block";

    private final ClassifierKind kind;
    private final LongRangeConfig config;
    private final SameDiff sd;
    private final String logits;  // [b, 4]
    private final String weights;      // pooling weights [b, T]; LSTM_LAST has none
    private final String blockWeights; // TRANSFORMER: the block's self-attention [b, heads, T, T]
    private final String loss;
    private final TrainableTransformerBlock block;

    private LongRangeClassifier(ClassifierKind kind, LongRangeConfig config) {
        this.kind = kind;
        this.config = config;
        this.sd = SameDiff.create();
        int t = config.length();
        int v = LongRangeTask.vocabularySize();
        int w = config.width();
        TorchRandom random = TorchRandom.manualSeed(config.seed());
        SDVariable in = sd.placeHolder("tokens", DataType.FLOAT, -1, t, v);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, LongRangeTask.CLASSES);
        // Embedding rows of variance 1, as nn.Embedding starts: as strong as the positional encoding added to them.
        Linear embedding = Linear.fromWeights(random.uniform(-Math.sqrt(3), Math.sqrt(3), w, v), null);
        SDVariable x = TrainableLinear.from(sd, "embed", embedding).forward(in);                       // [b, T, W]
        SDVariable states;                                                                             // [b, T, W]
        SDVariable blockWeights = null;
        TrainableTransformerBlock b = null;
        if (kind == ClassifierKind.TRANSFORMER) {
            x = x.add(sd.constant("positions", SinusoidalPositionalEncoding.table(t, w)));              // [b, T, W]
            b = TrainableTransformerBlock.from(sd, BLOCK,
                TransformerBlock.fromSeed(w, config.heads(), 4L * w, t, config.seed() + 1));
            TrainableAttentionOutput out = b.attend(x, t, null);
            blockWeights = out.weights();                                                              // [b, h, T, T]
            states = TrainableLayerNorm.from(sd, "lnFinal", LayerNorm.of(w)).forward(out.context());
        } else {
            double bound = 1 / Math.sqrt(w);
            LSTMLayerWeights lstm = LSTMLayerWeights.builder()
                .weights(sd.var("lstm.inputWeights", random.uniform(-bound, bound, w, 4L * w)))
                .rWeights(sd.var("lstm.recurrentWeights", random.uniform(-bound, bound, w, 4L * w)))
                .bias(sd.var("lstm.bias", random.uniform(-bound, bound, 4L * w)))
                .build();
            LSTMLayerConfig lstmConfig = LSTMLayerConfig.builder()
                .lstmdataformat(LSTMDataFormat.NTS).directionMode(LSTMDirectionMode.FWD)
                .retFullSequence(true).retLastH(false).retLastC(false).build();
            states = sd.rnn.lstmLayer(x, lstm, lstmConfig)[0];                                        // [b, T, W]
        }
        SDVariable pooled;
        SDVariable att = null;
        if (kind == ClassifierKind.LSTM_LAST) {
            // Selected by a 0/1 mask and a sum: strided_slice's gradient fails in M2.1.
            INDArray last = Nd4j.zeros(DataType.FLOAT, 1, t, w);
            last.get(NDArrayIndex.point(0), NDArrayIndex.point(t - 1), NDArrayIndex.all()).assign(1);
            pooled = states.mul(sd.constant("lastState", last)).sum(1);                                // [b, W]
        } else {
            // Attention pooling: one learned query v scores every state, softmax over the tokens.
            TrainableLinear score = TrainableLinear.from(sd, "pool.score", Linear.init(w, 1, true, random));
            SDVariable s = score.forward(states).reshape(-1, t);                                       // [b, T]
            att = sd.nn.softmax(s, -1);                                                                // [b, T]
            pooled = states.mul(sd.expandDims(att, 2)).sum(1);                                         // [b, W]
        }
        this.block = b;
        TrainableLinear head = TrainableLinear.from(sd, "classifier",
            Linear.init(w, LongRangeTask.CLASSES, true, random));
        SDVariable out = sd.identity("logits", head.forwardRows(pooled));                              // [b, 4]
        logits = out.name();
        weights = att == null ? null : sd.identity("weights", att).name();
        this.blockWeights = blockWeights == null ? null : sd.identity("blockWeights", blockWeights).name();
        SDVariable l = sd.loss.softmaxCrossEntropy("loss", label, out, null);
        l.markAsLoss();
        loss = l.name();
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(config.learningRate()))
            .dataSetFeatureMapping("tokens").dataSetLabelMapping("label").build());
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(stdout);
        }
    }

    /** A new, untrained classifier. */
    public static LongRangeClassifier create(ClassifierKind kind, LongRangeConfig config) {
        if (config.width() % config.heads() != 0) {
            throw new IllegalArgumentException("LongRangeClassifier: width " + config.width()
                + " is not divisible by heads " + config.heads());
        }
        return new LongRangeClassifier(kind, config);
    }

    /**
     * Trains for {@code config.epochs()} epochs with a progress line.
     *
     * @return the training loss after each epoch (on the first 500 examples)
     * @throws dev.attentionkit.notebook.StoppedByInterrupt when the thread is interrupted (Interrupt in a notebook): before the next
     *     batch, keeping the weights of the last finished one
     */
    public List<Double> train(List<LongRangeExample> examples) {
        List<LongRangeExample> data = new ArrayList<>(examples);
        List<LongRangeExample> sample = List.copyOf(data.subList(0, Math.min(500, data.size())));
        Random random = new Random(config.seed());
        int batches = (data.size() + config.batchSize() - 1) / config.batchSize();
        List<Double> losses = new ArrayList<>();
        try (Progress progress = Progress.start("training " + kind, (long) config.epochs() * batches)) {
            String last = "";
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                Collections.shuffle(data, random);
                for (int i = 0; i < batches; i++) {
                    stopIfInterrupted(progress, epoch, i, batches);
                    int from = i * config.batchSize();
                    fitBatch(data.subList(from, Math.min(from + config.batchSize(), data.size())));
                    progress.step((long) (epoch - 1) * batches + i + 1,
                        String.format(Locale.ROOT, "epoch %d/%d %s", epoch, config.epochs(), last));
                }
                stopIfInterrupted(progress, epoch, batches, batches);
                losses.add(loss(sample));
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

    /** One Adam step. */
    public void fitBatch(List<LongRangeExample> batch) {
        sd.fit(new MultiDataSet(new INDArray[] {oneHot(batch)}, new INDArray[] {labels(batch)}));
    }

    /** Mean cross-entropy on {@code examples}. */
    public double loss(List<LongRangeExample> examples) {
        return sd.output(Map.of("tokens", oneHot(examples), "label", labels(examples)), loss).get(loss).getDouble(0);
    }

    /** Predicted classes. */
    public int[] predict(List<LongRangeExample> examples) {
        INDArray out = sd.output(Map.of("tokens", oneHot(examples)), logits).get(logits);
        return out.argMax(1).toIntVector();
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

    /** The attention-pooling weights {@code [T]} for one example: how much each token's state counts. */
    public INDArray attentionWeights(LongRangeExample example) {
        if (weights == null) {
            throw new IllegalStateException(kind + " has no attention weights");
        }
        INDArray w = sd.output(Map.of("tokens", oneHot(List.of(example))), weights).get(weights);
        return w.slice(0).dup();
    }

    /** The transformer block's self-attention weights {@code [heads, T, T]} for one example (TRANSFORMER only). */
    public INDArray blockWeights(LongRangeExample example) {
        if (blockWeights == null) {
            throw new IllegalStateException(kind + " has no transformer block");
        }
        INDArray w = sd.output(Map.of("tokens", oneHot(List.of(example))), blockWeights).get(blockWeights);
        return w.slice(0).dup();
    }

    /**
     * Loss and accuracy with the outputs of the {@code pruned} heads set to 0 (TRANSFORMER only): their columns of
     * {@code outProj}'s weight are zeroed for the evaluation and restored afterwards.
     *
     * @return {@code [loss, accuracy]}
     */
    public double[] evaluateWithout(Set<Integer> pruned, List<LongRangeExample> examples) {
        if (block == null) {
            throw new IllegalStateException(kind + " has no heads");
        }
        INDArray outW = block.attention().outProj().weight().getArr();          // [d, d]: input columns by head
        INDArray saved = outW.dup();
        long hd = config.width() / config.heads();
        try {
            for (int h : pruned) {
                if (h < 0 || h >= config.heads()) {
                    throw new IllegalArgumentException("head " + h + " out of 0.." + (config.heads() - 1));
                }
                outW.get(NDArrayIndex.all(), NDArrayIndex.interval(h * hd, (h + 1) * hd)).assign(0);
            }
            return new double[] {loss(examples), accuracy(examples)};
        } finally {
            outW.assign(saved);
        }
    }

    /** The trained transformer block as a plain {@link TransformerBlock} (TRANSFORMER only). */
    public TransformerBlock plainBlock() {
        if (block == null) {
            throw new IllegalStateException(kind + " has no transformer block");
        }
        return block.toPlain();
    }

    private INDArray oneHot(List<LongRangeExample> examples) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, examples.size(), config.length(), LongRangeTask.vocabularySize());
        for (int i = 0; i < examples.size(); i++) {
            int[] tokens = examples.get(i).tokens();
            if (tokens.length != config.length()) {
                throw new IllegalArgumentException("LongRangeClassifier: expected sequences of " + config.length()
                    + " tokens, got " + tokens.length);
            }
            for (int t = 0; t < tokens.length; t++) {
                x.putScalar(new long[] {i, t, tokens[t]}, 1f);
            }
        }
        return x;
    }

    private static INDArray labels(List<LongRangeExample> examples) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, examples.size(), LongRangeTask.CLASSES);
        for (int i = 0; i < examples.size(); i++) {
            y.putScalar(i, examples.get(i).label(), 1f);
        }
        return y;
    }

    public ClassifierKind kind() {
        return kind;
    }

    public LongRangeConfig config() {
        return config;
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return sd.variables().stream()
            .filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
            .mapToLong(v -> v.getArr().length()).sum();
    }

    @Override
    public String toString() {
        return "LongRangeClassifier(" + kind + ", " + parameterCount() + " parameters)";
    }
}
