package dev.attentionkit.stability;

import dev.attentionkit.longrange.LayerNormStep;
import dev.attentionkit.longrange.LongRangeExample;
import dev.attentionkit.longrange.LongRangeTask;
import dev.attentionkit.longrange.PreLnBlock;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.SinusoidalPositionalEncoding;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A stack of {@code layers} transformer blocks classifying chapter 08's associative-recall sequences, trained with Adam
 * (optionally after a linear warm-up), every backward pass written out ({@link PreLnBlock}'s):
 *
 * <pre>
 * x      E[token_t] + E'[token_{t-1}] + PE[t]          [b, T, d]   (as chapter 08's TRANSFORMER)
 * h_l    block_l(h_{l-1}), l = 1 .. layers              [b, T, d]   pre-LN or post-LN, {@link StackConfig}
 * logits Linear(LayerNorm(h_L)[last token])             [b, 10]
 * </pre>
 *
 * Each block starts from {@link TransformerBlock#fromSeed} (PyTorch's {@code nn.Linear} initialisation) with every
 * weight matrix multiplied by {@link StackConfig#initScale()}. {@link #train} records each layer's gradient norm at
 * every step: the chapter's measure of how the gradient flows through the stack.
 */
public final class TransformerStack {
    private static final double BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8;
    private static final int EVAL_CHUNK = 256;

    private final StackConfig config;
    private final DataType type;
    private final INDArray embedding, previousEmbedding;   // [V, d] each
    private final INDArray positions;                      // [T, d]
    private final List<PreLnBlock> blocks = new ArrayList<>();
    private final LayerNormStep lnFinal;
    private final INDArray classifierWeight, classifierBias;   // [10, d], [10]
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private final Map<String, INDArray> adamM = new LinkedHashMap<>(), adamV = new LinkedHashMap<>();
    private int steps;
    private INDArray oneHot, previousOneHot, last;         // kept from the forward pass; last [b, d]

    private TransformerStack(StackConfig config, DataType type) {
        this.config = config;
        this.type = type;
        int d = config.width(), t = config.length();
        TorchRandom random = TorchRandom.manualSeed(config.seed());
        embedding = random.uniform(-Math.sqrt(3), Math.sqrt(3), LongRangeTask.vocabularySize(), d).castTo(type).dup('c');
        previousEmbedding = random.uniform(-Math.sqrt(3), Math.sqrt(3), LongRangeTask.vocabularySize(), d).castTo(type)
            .dup('c');
        parameters.put("embedding", embedding);
        parameters.put("previousEmbedding", previousEmbedding);
        positions = SinusoidalPositionalEncoding.table(t, d).castTo(type).dup('c');
        for (int l = 0; l < config.layers(); l++) {
            TransformerBlock plain = TransformerBlock.fromSeed(d, config.heads(), 4L * d, t, config.seed() * 100 + l + 1);
            PreLnBlock block = new PreLnBlock(plain, type, config.blockOptions(l));
            String prefix = "block" + l + ".";
            block.parameters().forEach((k, v) -> {
                if (k.endsWith(".weight") && !k.startsWith("ln")) {
                    v.muli(config.initScale());                 // the weight matrices; layer norms and biases as they are
                }
                parameters.put(prefix + k, v);
            });
            blocks.add(block);
        }
        lnFinal = new LayerNormStep(LayerNorm.of(d)).castTo(type);
        lnFinal.parameters().forEach((k, v) -> parameters.put("lnFinal." + k, v));
        Linear head = Linear.init(d, LongRangeTask.CLASSES, true, random);
        classifierWeight = head.weight().castTo(type).dup('c');
        classifierBias = head.bias().orElseThrow().castTo(type).dup('c');
        parameters.put("classifier.weight", classifierWeight);
        parameters.put("classifier.bias", classifierBias);
        parameters.forEach((k, v) -> {
            adamM.put(k, Nd4j.zeros(type, v.shape()));
            adamV.put(k, Nd4j.zeros(type, v.shape()));
        });
    }

    /** A new, untrained stack (float32). */
    public static TransformerStack create(StackConfig config) {
        return create(config, DataType.FLOAT);
    }

    /** The same in {@code type} (float64 for gradient checks). */
    static TransformerStack create(StackConfig config, DataType type) {
        if (config == null) {
            throw new IllegalArgumentException("TransformerStack: a StackConfig is required");
        }
        return new TransformerStack(config, type);
    }

    public StackConfig config() {
        return config;
    }

    /** Number of trainable values. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(INDArray::length).sum();
    }

    /** Adam's step size at step {@code step} (1-based): linear warm-up over {@code warmupSteps}, then the peak. */
    public double learningRateAt(int step) {
        if (step < 1) {
            throw new IllegalArgumentException("TransformerStack.learningRateAt: steps count from 1, got " + step);
        }
        int w = config.warmupSteps();
        return w == 0 ? config.learningRate() : config.learningRate() * Math.min(1.0, (double) step / w);
    }

    /**
     * {@code steps} Adam steps on batches of {@code data} (shuffled once per pass, with the config's seed).
     *
     * @return every step's loss and each layer's gradient norm
     */
    public TrainingLog train(List<LongRangeExample> data, int steps) {
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("TransformerStack.train: no examples");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("TransformerStack.train: steps must be >= 0, got " + steps);
        }
        List<LongRangeExample> order = new ArrayList<>(data);
        Random random = new Random(config.seed());
        int b = Math.min(config.batchSize(), order.size());
        double[] losses = new double[steps];
        double[][] norms = new double[steps][];
        int at = order.size();
        for (int s = 0; s < steps; s++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new dev.attentionkit.notebook.StoppedByInterrupt("TransformerStack.train interrupted after " + s
                    + " of " + steps + " steps");
            }
            if (at + b > order.size()) {
                Collections.shuffle(order, random);
                at = 0;
            }
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            losses[s] = step(order.subList(at, at + b), gradients);
            norms[s] = layerNorms(gradients);
            at += b;
        }
        return new TrainingLog(losses, norms);
    }

    /** One Adam step on {@code batch}. @return the batch's loss before the step */
    public double fitBatch(List<LongRangeExample> batch) {
        return step(batch, new LinkedHashMap<>());
    }

    private double step(List<LongRangeExample> batch, Map<String, INDArray> gradients) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("TransformerStack.fitBatch: empty batch");
        }
        double loss = lossAndGradients(batch, gradients);
        steps++;
        double lr = learningRateAt(steps) * Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps));
        for (Map.Entry<String, INDArray> e : parameters.entrySet()) {
            INDArray g = gradients.get(e.getKey());
            INDArray m = adamM.get(e.getKey()).muli(BETA1).addi(g.mul(1 - BETA1));
            INDArray v = adamV.get(e.getKey()).muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
            e.getValue().subi(m.div(Transforms.sqrt(v, true).addi(ADAM_EPS)).muli(lr));
        }
        return loss;
    }

    /**
     * Each layer's gradient norm on {@code batch} for the current weights, without a step (training mode).
     *
     * @return {@code [layers]}
     */
    public double[] gradientNorms(List<LongRangeExample> batch) {
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        lossAndGradients(batch, gradients);
        return layerNorms(gradients);
    }

    private double[] layerNorms(Map<String, INDArray> gradients) {
        double[] sq = new double[blocks.size()];
        gradients.forEach((k, g) -> {
            if (k.startsWith("block")) {
                int l = Integer.parseInt(k.substring(5, k.indexOf('.')));
                double n = g.norm2Number().doubleValue();
                sq[l] += n * n;
            }
        });
        for (int l = 0; l < sq.length; l++) {
            sq[l] = Math.sqrt(sq[l]);
        }
        return sq;
    }

    /** Mean cross-entropy on {@code examples} (evaluation: no dropout). */
    public double loss(List<LongRangeExample> examples) {
        return evaluate(examples)[0];
    }

    /** Fraction of {@code examples} classified right (evaluation: no dropout). */
    public double accuracy(List<LongRangeExample> examples) {
        return evaluate(examples)[1];
    }

    /** {@code [mean cross-entropy, accuracy]} on {@code examples}, without dropout. */
    public double[] evaluate(List<LongRangeExample> examples) {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException("TransformerStack: no examples");
        }
        blocks.forEach(block -> block.training(false));
        try {
            double loss = 0;
            int right = 0;
            for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
                List<LongRangeExample> chunk = examples.subList(from, Math.min(from + EVAL_CHUNK, examples.size()));
                INDArray p = probabilities(chunk);
                int[] predicted = p.argMax(1).toIntVector();
                for (int i = 0; i < chunk.size(); i++) {
                    loss -= Math.log(Math.max(p.getDouble(i, chunk.get(i).label()), 1e-30));
                    right += predicted[i] == chunk.get(i).label() ? 1 : 0;
                }
            }
            return new double[] {loss / examples.size(), (double) right / examples.size()};
        } finally {
            blocks.forEach(block -> block.training(true));
        }
    }

    /**
     * Entropy of the attention weights, {@code −Σ_j p_ij ln p_ij} per query row, averaged over the rows, heads and
     * {@code examples}, for each layer (evaluation: no dropout). {@code ln T} is uniform attention, 0 one-hot.
     *
     * @return {@code [layers]}
     */
    public double[] attentionEntropy(List<LongRangeExample> examples) {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException("TransformerStack.attentionEntropy: no examples");
        }
        double[] out = new double[blocks.size()];
        blocks.forEach(block -> block.training(false));
        try {
            for (int from = 0; from < examples.size(); from += EVAL_CHUNK) {
                List<LongRangeExample> chunk = examples.subList(from, Math.min(from + EVAL_CHUNK, examples.size()));
                logits(chunk);
                for (int l = 0; l < blocks.size(); l++) {
                    INDArray p = blocks.get(l).lastWeights();                    // [b·heads, T, T]
                    INDArray plogp = p.mul(Transforms.log(p.add(1e-30), false));
                    out[l] -= plogp.sumNumber().doubleValue() / (p.size(1) * config.heads() * examples.size());
                }
            }
            return out;
        } finally {
            blocks.forEach(block -> block.training(true));
        }
    }

    /** Restarts every layer's dropout draws (gradient checks). */
    void reseedDropout(long seed) {
        for (int l = 0; l < blocks.size(); l++) {
            blocks.get(l).reseedDropout(seed + l);
        }
    }

    /** The trainable arrays by name (live). */
    Map<String, INDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Mean cross-entropy in training mode (dropout on), no gradients. */
    double trainingLoss(List<LongRangeExample> batch) {
        INDArray p = probabilities(batch);
        double loss = 0;
        for (int i = 0; i < batch.size(); i++) {
            loss -= Math.log(Math.max(p.getDouble(i, batch.get(i).label()), 1e-30));
        }
        return loss / batch.size();
    }

    /** Mean cross-entropy on {@code batch} (training mode); every parameter's gradient put into {@code gradients}. */
    double lossAndGradients(List<LongRangeExample> batch, Map<String, INDArray> gradients) {
        int b = batch.size(), t = config.length(), d = config.width();
        INDArray p = probabilities(batch);                                      // [b, 10]
        double loss = 0;
        INDArray dLogits = p.dup();
        for (int i = 0; i < b; i++) {
            int label = batch.get(i).label();
            loss -= Math.log(Math.max(p.getDouble(i, label), 1e-30));
            dLogits.putScalar(i, label, dLogits.getDouble(i, label) - 1);
        }
        dLogits.divi(b);
        gradients.put("classifier.weight", dLogits.transpose().mmul(last));
        gradients.put("classifier.bias", dLogits.sum(0));
        INDArray dStates = Nd4j.zeros(type, b, t, d);
        dStates.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t - 1),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(dLogits.mmul(classifierWeight));
        INDArray dH = lnFinal.backward(dStates.reshape('c', (long) b * t, d)).reshape('c', b, t, d);
        lnFinal.gradients().forEach((k, v) -> gradients.put("lnFinal." + k, v));
        for (int l = blocks.size() - 1; l >= 0; l--) {
            dH = blocks.get(l).backward(dH);
            String prefix = "block" + l + ".";
            blocks.get(l).gradients().forEach((k, v) -> gradients.put(prefix + k, v));
        }
        INDArray dX2 = dH.reshape('c', (long) b * t, d);
        gradients.put("embedding", oneHot.transpose().mmul(dX2));
        gradients.put("previousEmbedding", previousOneHot.transpose().mmul(dX2));
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
        int b = batch.size(), t = config.length(), d = config.width();
        oneHot = oneHot(batch, 0);
        previousOneHot = oneHot(batch, 1);
        INDArray x = oneHot.mmul(embedding).addi(previousOneHot.mmul(previousEmbedding)).reshape('c', b, t, d);
        Broadcast.add(x, positions, x, 1, 2);
        INDArray h = x;
        for (PreLnBlock block : blocks) {
            h = block.forward(h);
        }
        INDArray states = lnFinal.forward(h.reshape('c', (long) b * t, d)).reshape('c', b, t, d);
        last = states.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t - 1),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');                 // [b, d]
        return last.mmul(classifierWeight.transpose()).addiRowVector(classifierBias);
    }

    /** Row {@code i·T + s} is the one-hot of token {@code s - shift} of example i (0 before the first token). */
    private INDArray oneHot(List<LongRangeExample> examples, int shift) {
        int t = config.length(), v = LongRangeTask.vocabularySize();
        double[] x = new double[examples.size() * t * v];
        for (int i = 0; i < examples.size(); i++) {
            int[] tokens = examples.get(i).tokens();
            if (tokens.length != t) {
                throw new IllegalArgumentException("TransformerStack: expected sequences of " + t + " tokens ("
                    + config.pairs() + " pairs), got " + tokens.length);
            }
            for (int s = shift; s < t; s++) {
                x[(i * t + s) * v + tokens[s - shift]] = 1;
            }
        }
        return Nd4j.create(x, new long[] {(long) examples.size() * t, v}, 'c').castTo(type);
    }

    @Override
    public String toString() {
        return "TransformerStack(" + config + ", " + parameterCount() + " parameters)";
    }
}
