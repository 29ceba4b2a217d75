package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention by stacking (book section 3.6.1): {@code numHeads} independent {@link CausalAttention}
 * heads run one after another and their context vectors are concatenated along the last axis, so the output
 * has {@code numHeads · dOut} features. Simple to read, slow to run; {@link MultiHeadAttention} computes the
 * same thing with one matrix product per projection.
 */
public final class MultiHeadAttentionWrapper {
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
     * @param x {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     * @return {@code [(batch,) tokens, numHeads · dOut]}
     */
    public INDArray forward(INDArray x) {
        return attend(x).context();
    }

    /**
     * @param x {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     * @return context {@code [(batch,) tokens, numHeads · dOut]} (heads side by side) and weights
     *         {@code [(batch,) numHeads, tokens, tokens]}
     */
    public AttentionOutput attend(INDArray x) {
        return attend(x, null);
    }

    /**
     * @param extra {@code [(batch,) tokens, tokens]} combined with the causal mask, or null
     */
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

    /** Dropout on in every head; returns this. */
    public MultiHeadAttentionWrapper train() {
        heads.forEach(CausalAttention::train);
        return this;
    }

    /** Dropout off in every head; returns this. */
    public MultiHeadAttentionWrapper eval() {
        heads.forEach(CausalAttention::eval);
        return this;
    }

    /** The heads, in order (unmodifiable). */
    public List<CausalAttention> heads() {
        return heads;
    }

    public int numHeads() {
        return heads.size();
    }

    public long dIn() {
        return heads.get(0).dIn();
    }

    /** Features per head. */
    public long headDim() {
        return heads.get(0).dOut();
    }

    /** Output features, {@code numHeads · headDim}. */
    public long dOut() {
        return numHeads() * headDim();
    }

    public long contextLength() {
        return heads.get(0).contextLength();
    }

    public long parameterCount() {
        return heads.stream().mapToLong(CausalAttention::parameterCount).sum();
    }

    @Override
    public String toString() {
        return "MultiHeadAttentionWrapper(numHeads=" + numHeads() + ", " + heads.get(0) + ")";
    }
}
