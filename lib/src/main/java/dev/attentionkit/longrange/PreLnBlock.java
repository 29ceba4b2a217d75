package dev.attentionkit.longrange;

import dev.attentionkit.attention.AttentionModule;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.TalkingHeadsAttention;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.transformer.FeedForward;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The pre-LN transformer block of {@link TransformerBlock} (non-causal), trainable with a backward pass written out:
 * the attention's is {@link SelfAttentionStep}'s, the layer norms' {@link LayerNormStep}'s.
 *
 * <pre>
 * a = x + attention(ln1(x))                [b·T, d]
 * y = a + fc2(relu(fc1(ln2(a))))           [b·T, d]
 * </pre>
 *
 * With {@link BlockOptions} (chapter 11) the same weights can be wired post-LN instead,
 * {@code a = ln1(x + attention(x))}, {@code y = ln2(a + ffn(a))}, and its attention can drop the {@code 1/√hd} or
 * drop out attention weights while {@link #training(boolean) training}.
 */
public final class PreLnBlock {
    private final LayerNormStep ln1;
    private final SelfAttentionStep attention;
    private final LayerNormStep ln2;
    private final INDArray w1, b1, w2, b2;   // fc1 [4d, d], [4d]; fc2 [d, 4d], [d]
    private final int heads;
    private final long contextLength;
    private final LayerNormPlacement placement;
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray ffnIn, hidden;           // kept for the backward pass: the FFN's input and relu(fc1)

    PreLnBlock(TransformerBlock plain, DataType type) {
        this(plain, type, BlockOptions.CHAPTER_08, HeadInteraction.NONE);
    }

    /** The same with the heads interacting ({@link HeadInteraction}): talking heads and/or gates. */
    PreLnBlock(TransformerBlock plain, DataType type, HeadInteraction interaction) {
        this(plain, type, BlockOptions.CHAPTER_08, interaction);
    }

    /**
     * A trainable copy of {@code plain}'s weights in {@code type}, wired and configured as {@code options} says.
     *
     * @param plain a block whose attention is a {@link MultiHeadAttention} (q/k/v without bias, output projection
     *              with bias), e.g. {@link TransformerBlock#fromSeed}
     */
    public PreLnBlock(TransformerBlock plain, DataType type, BlockOptions options) {
        this(plain, type, options, HeadInteraction.NONE);
    }

    /** The same with {@code options} and interacting heads together. */
    PreLnBlock(TransformerBlock plain, DataType type, BlockOptions options, HeadInteraction interaction) {
        if (plain == null || type == null || options == null || interaction == null) {
            throw new IllegalArgumentException("PreLnBlock: block, data type, options and head interaction are required");
        }
        this.placement = options.placement();
        if (!(plain.attention() instanceof MultiHeadAttention mha)) {
            throw new IllegalArgumentException("PreLnBlock: the block's attention must be a MultiHeadAttention");
        }
        this.heads = mha.numHeads();
        this.contextLength = mha.contextLength();
        this.ln1 = new LayerNormStep(plain.ln1()).castTo(type);
        this.ln2 = new LayerNormStep(plain.ln2()).castTo(type);
        if (mha.query().bias().isPresent() || mha.key().bias().isPresent() || mha.value().bias().isPresent()
            || mha.outProj().bias().isEmpty()) {
            throw new IllegalArgumentException("PreLnBlock: q/k/v without bias and an output projection with bias");
        }
        this.attention = new SelfAttentionStep(copy(mha.query().weight(), type), copy(mha.key().weight(), type),
            copy(mha.value().weight(), type), copy(mha.outProj().weight(), type),
            copy(mha.outProj().bias().orElseThrow(), type), heads, interaction);
        FeedForward ffn = plain.ffn();
        this.w1 = copy(ffn.fc1().weight(), type);
        this.b1 = copy(ffn.fc1().bias().orElseThrow(), type);
        this.w2 = copy(ffn.fc2().weight(), type);
        this.b2 = copy(ffn.fc2().bias().orElseThrow(), type);
        attention.scaledScores(options.scaledScores());
        attention.attentionDropout(options.attentionDropout(), options.dropoutSeed());
    }

    /** Training (attention dropout on) or evaluation (off); training is the default. */
    public void training(boolean on) {
        attention.training(on);
    }

    /** Restarts the attention-dropout draws from {@code seed} (gradient checks: the same mask in every pass). */
    public void reseedDropout(long seed) {
        attention.reseedDropout(seed);
    }

    public LayerNormPlacement placement() {
        return placement;
    }

    /** @param x {@code [b, T, d]} @return {@code [b, T, d]} */
    public INDArray forward(INDArray x) {
        if (x == null || x.rank() != 3 || x.size(2) != w2.size(0)) {
            throw new IllegalArgumentException("PreLnBlock input: expected [batch, tokens, d] with d = " + w2.size(0)
                + ", got " + (x == null ? "null" : java.util.Arrays.toString(x.shape())));
        }
        long b = x.size(0), t = x.size(1), d = x.size(2);
        INDArray x2 = x.reshape('c', b * t, d);
        if (placement == LayerNormPlacement.POST_LN) {
            INDArray a = ln1.forward(attention.forward(x).reshape('c', b * t, d).addi(x2));
            ffnIn = a;                                                           // the FFN reads a itself
            return ln2.forward(feedForward(a).addi(a)).reshape('c', b, t, d);
        }
        INDArray l1 = ln1.forward(x2);
        INDArray a = attention.forward(l1.reshape('c', b, t, d)).reshape('c', b * t, d).addi(x2);
        ffnIn = ln2.forward(a);
        return feedForward(ffnIn).addi(a).reshape('c', b, t, d);
    }

    /** fc2(relu(fc1(in))) {@code [b·T, d]}; keeps relu(fc1(in)) for the backward pass. */
    private INDArray feedForward(INDArray in) {
        long rows = in.size(0), d = in.size(1);
        DataType type = in.dataType();
        hidden = Nd4j.createUninitialized(type, rows, w1.size(0));
        Products.timesTransposed(in, w1, hidden, 0);
        hidden.addiRowVector(b1);
        org.nd4j.linalg.ops.transforms.Transforms.relu(hidden, false);          // keeps relu(h): h > 0 ⇔ relu(h) > 0
        INDArray y = Nd4j.createUninitialized(type, rows, d);
        Products.timesTransposed(hidden, w2, y, 0);
        return y.addiRowVector(b2);
    }

    /** @param dY {@code [b, T, d]} @return dX {@code [b, T, d]}; parameter gradients in {@link #gradients()} */
    public INDArray backward(INDArray dY) {
        if (hidden == null) {
            throw new IllegalStateException("PreLnBlock.backward: call forward first");
        }
        long b = dY.size(0), t = dY.size(1), d = dY.size(2);
        INDArray dy = dY.dup('c').reshape('c', b * t, d);
        gradients.clear();
        if (placement == LayerNormPlacement.POST_LN) {
            INDArray dSum2 = ln2.backward(dy);                                     // y = ln2(a + ffn(a))
            INDArray da = feedForwardBackward(dSum2).addi(dSum2);
            INDArray dSum1 = ln1.backward(da);                                     // a = ln1(x + attention(x))
            INDArray dx = attention.backward(dSum1.reshape('c', b, t, d)).reshape('c', b * t, d).addi(dSum1);
            collectGradients();
            return dx.reshape('c', b, t, d);
        }
        INDArray dLn2 = feedForwardBackward(dy);
        INDArray da = ln2.backward(dLn2).addi(dy);                                 // both paths into a
        INDArray dL1 = attention.backward(da.reshape('c', b, t, d)).reshape('c', b * t, d);
        INDArray dx = ln1.backward(dL1).addi(da);
        collectGradients();
        return dx.reshape('c', b, t, d);
    }

    /** From the FFN output's gradient {@code dy [b·T, d]}: the FFN's weight gradients; returns its input's gradient. */
    private INDArray feedForwardBackward(INDArray dy) {
        long rows = dy.size(0), d = dy.size(1);
        DataType type = dy.dataType();
        INDArray dW2 = Nd4j.createUninitialized(type, w2.shape());
        Products.transposedTimes(dy, hidden, dW2, 0);
        INDArray dHidden = Nd4j.createUninitialized(type, rows, w1.size(0));
        Products.product(dy, w2, dHidden, 0);
        dHidden.muli(hidden.gt(0).castTo(type));                                   // relu's gradient
        INDArray dW1 = Nd4j.createUninitialized(type, w1.shape());
        Products.transposedTimes(dHidden, ffnIn, dW1, 0);
        INDArray dIn = Nd4j.createUninitialized(type, rows, d);
        Products.product(dHidden, w1, dIn, 0);
        gradients.put("fc1.weight", dW1);
        gradients.put("fc1.bias", dHidden.sum(0));
        gradients.put("fc2.weight", dW2);
        gradients.put("fc2.bias", dy.sum(0));
        return dIn;
    }

    /** Puts the sub-layers' gradients beside the FFN's, in {@link #parameters()} order. */
    private void collectGradients() {
        Map<String, INDArray> ffn = new LinkedHashMap<>(gradients);
        gradients.clear();
        ln1.gradients().forEach((k, v) -> gradients.put("ln1." + k, v));
        attention.gradients().forEach((k, v) -> gradients.put("attention." + k, v));
        ln2.gradients().forEach((k, v) -> gradients.put("ln2." + k, v));
        gradients.putAll(ffn);
    }

    /** The trainable arrays by name (live: changing them changes the block). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        ln1.parameters().forEach((k, v) -> p.put("ln1." + k, v));
        attention.parameters().forEach((k, v) -> p.put("attention." + k, v));
        ln2.parameters().forEach((k, v) -> p.put("ln2." + k, v));
        p.put("fc1.weight", w1);
        p.put("fc1.bias", b1);
        p.put("fc2.weight", w2);
        p.put("fc2.bias", b2);
        return p;
    }

    /** The gradients of the last {@link #backward}, by the names of {@link #parameters()}. */
    public Map<String, INDArray> gradients() {
        return gradients;
    }

    /** The attention weights of the last forward pass (before dropout), {@code [b·heads, T, T]}. */
    public INDArray lastWeights() {
        return attention.lastWeights();
    }

    /** The output projection's weight {@code [d, d]}: its columns {@code h·d/heads ..} read head h. */
    INDArray outProjection() {
        return attention.parameters().get("outProj.weight");
    }

    public int heads() {
        return heads;
    }

    /** The gates {@code [heads]}, or null without gates. */
    double[] gateValues() {
        return attention.gateValues();
    }

    /** The gates' L1 penalty (0 without gates). */
    double penalty() {
        return attention.penalty();
    }

    /**
     * The trained weights as a plain {@link TransformerBlock} (copies, float32): its attention is a
     * {@link MultiHeadAttention}, or a {@link TalkingHeadsAttention} with the learned mixes; gates are folded into the
     * output projection (head h's columns times {@code g_h}), which computes the same. Pre-LN only.
     */
    TransformerBlock toPlain() {
        if (placement != LayerNormPlacement.PRE_LN) {
            throw new IllegalStateException("PreLnBlock.toPlain: TransformerBlock is pre-LN; this block is " + placement);
        }
        Map<String, INDArray> a = attention.parameters();
        INDArray outW = f(a.get("outProj.weight"));
        double[] g = attention.gateValues();
        if (g != null) {
            long hd = outW.size(1) / heads;
            for (int h = 0; h < heads; h++) {
                outW.get(NDArrayIndex.all(), NDArrayIndex.interval(h * hd, (h + 1) * hd)).muli(g[h]);
            }
        }
        MultiHeadAttention mha = MultiHeadAttention.fromWeights(f(a.get("query.weight")), f(a.get("key.weight")),
            f(a.get("value.weight")), outW, f(a.get("outProj.bias")), heads, contextLength)
            .bidirectional();
        INDArray[] mixes = attention.mixes();
        AttentionModule module = mixes == null ? mha : TalkingHeadsAttention.of(mha, f(mixes[0]), f(mixes[1]));
        LayerNorm l1 = ln1.toPlain(), l2 = ln2.toPlain();
        return TransformerBlock.of(LayerNorm.fromWeights(f(l1.gamma()), f(l1.beta()), l1.eps()), module,
            LayerNorm.fromWeights(f(l2.gamma()), f(l2.beta()), l2.eps()),
            FeedForward.fromLayers(Linear.fromWeights(f(w1), f(b1)), Linear.fromWeights(f(w2), f(b2))));
    }

    private static INDArray copy(INDArray x, DataType type) {
        return x.castTo(type).dup('c');
    }

    private static INDArray f(INDArray x) {
        return x.castTo(DataType.FLOAT).dup('c');
    }
}
