package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention by stacking (book section 3.6.1): {@code numHeads} independent {@link CausalAttention}
 * heads run one after another and their context vectors are concatenated along the last axis, so the output
 * has {@code numHeads · dOut} features. Simple to read, slow to run; {@link MultiHeadAttention} computes the
 * same thing with one matrix product per projection.
 */
public final class MultiHeadAttentionWrapper implements AttentionModule {
    private final List<CausalAttention> heads;

    private MultiHeadAttentionWrapper(List<CausalAttention> heads) {
        this.heads = heads;
    }

    /**
     * {@code MultiHeadAttentionWrapper(dIn, dOut, contextLength, dropout, numHeads, qkvBias)} after
     * {@code torch.manual_seed(seed)}: the heads are created one after another, each drawing query, key, value
     * from the same generator. Head i's dropout is seeded with {@code seed + i}.
     *
     * @param dOut features per head; the output has {@code numHeads · dOut}
     */
    public static MultiHeadAttentionWrapper fromSeed(long dIn, long dOut, long contextLength, double dropout,
                                                     int numHeads, boolean qkvBias, long seed) {
        ModuleChecks.requirePositive(numHeads, "numHeads");
        TorchRandom random = TorchRandom.manualSeed(seed);
        List<CausalAttention> heads = new ArrayList<>();
        for (int i = 0; i < numHeads; i++) {
            heads.add(CausalAttention.init(dIn, dOut, contextLength, dropout, qkvBias, random, seed + i));
        }
        return new MultiHeadAttentionWrapper(List.copyOf(heads));
    }

    /**
     * The same from named sizes ({@link AttentionConfig}): {@code dOut} is the output of all heads together, as for
     * {@link MultiHeadAttention}, so each head gets {@code dOut / numHeads} features.
     */
    public static MultiHeadAttentionWrapper fromSeed(AttentionConfig config, long seed) {
        return fromSeed(config.dIn(), config.dOut() / config.numHeads(), config.contextLength(), config.dropout(),
            config.numHeads(), config.qkvBias(), seed);
    }

    /** From existing heads of equal shape (used as they are). */
    public static MultiHeadAttentionWrapper fromHeads(List<CausalAttention> heads) {
        if (heads == null || heads.isEmpty()) {
            throw new IllegalArgumentException("need at least one head");
        }
        CausalAttention first = heads.get(0);
        for (CausalAttention h : heads) {
            if (h.dIn() != first.dIn() || h.dOut() != first.dOut() || h.contextLength() != first.contextLength()) {
                throw new IllegalArgumentException("all heads need the same dIn, dOut and contextLength: "
                    + first + " vs " + h);
            }
        }
        return new MultiHeadAttentionWrapper(List.copyOf(heads));
    }

    /**
     * Causal self-attention, head by head.
     *
     * @param x     {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     * @param extra {@code [(batch,) tokens, tokens]} combined with the causal mask, or null
     * @return context {@code [(batch,) tokens, numHeads · dOut]} (heads side by side) and weights
     *         {@code [(batch,) numHeads, tokens, tokens]}
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask extra) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        INDArray[] contexts = new INDArray[heads.size()];
        INDArray[] weights = new INDArray[heads.size()];
        for (int i = 0; i < heads.size(); i++) {
            AttentionOutput out = heads.get(i).attend(x, extra);
            contexts[i] = out.context();                                   // [b, t, dOut]
            weights[i] = out.weights();                                    // [b, t, t]
        }
        INDArray context = Nd4j.concat(x.rank() - 1, contexts);            // [b, t, h·dOut]
        INDArray stacked = Nd4j.stack(x.rank() - 2, weights);              // [b, h, t, t]
        return new AttentionOutput(context, stacked);
    }

    @Override
    public boolean isCausal() {
        return true;
    }

    /** Dropout on in every head; returns this. */
    @Override
    public MultiHeadAttentionWrapper train() {
        heads.forEach(CausalAttention::train);
        return this;
    }

    /** Dropout off in every head; returns this. */
    @Override
    public MultiHeadAttentionWrapper eval() {
        heads.forEach(CausalAttention::eval);
        return this;
    }

    @Override
    public boolean isTraining() {
        return heads.get(0).isTraining();
    }

    /** The heads, in order (unmodifiable). */
    public List<CausalAttention> heads() {
        return heads;
    }

    @Override
    public int numHeads() {
        return heads.size();
    }

    @Override
    public long dIn() {
        return heads.get(0).dIn();
    }

    /** Output features, {@code numHeads · headDim}: the heads' context vectors side by side. */
    @Override
    public long dOut() {
        return numHeads() * heads.get(0).dOut();
    }

    public long contextLength() {
        return heads.get(0).contextLength();
    }

    /** {@code heads.0.W_query.weight}, ... as the book's {@code nn.ModuleList} names them; live. */
    @Override
    public Map<String, INDArray> parameters() {
        NamedParameters.Builder named = NamedParameters.builder();
        for (int i = 0; i < heads.size(); i++) {
            named.add("heads." + i, heads.get(i));
        }
        return named.build();
    }

    @Override
    public String toString() {
        return "MultiHeadAttentionWrapper(numHeads=" + numHeads() + ", " + heads.get(0) + ")";
    }
}
