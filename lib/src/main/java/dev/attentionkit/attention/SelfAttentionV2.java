package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Self-attention with linear layers, as book section 3.4.2 rewrites it ({@code SelfAttention_v2}):
 * the projections are {@link Linear} layers with PyTorch's {@code [dOut, dIn]} weight layout and an
 * optional bias, so {@code queries = x · W_queryᵀ (+ b)}.
 *
 * <p>Compared with {@link SelfAttentionV1} only the storage and the initialisation differ: copying each
 * {@code Linear} weight transposed into V1 gives the same outputs.
 */
public final class SelfAttentionV2 extends QkvAttention<SelfAttentionV2> {

    private SelfAttentionV2(Linear query, Linear key, Linear value) {
        super(query, key, value, null, 1, NO_CONTEXT_LIMIT, false);   // no dropout in the book's v2; not causal
    }

    /**
     * The layers {@code nn.Linear(dIn, dOut, bias=qkvBias)} for query, key and value, in that order,
     * after {@code torch.manual_seed(seed)}; seed 789 without bias gives the book's numbers.
     */
    public static SelfAttentionV2 fromSeed(long dIn, long dOut, boolean qkvBias, long seed) {
        Layers l = Layers.draw(dIn, dOut, qkvBias, TorchRandom.manualSeed(seed));
        return new SelfAttentionV2(l.query(), l.key(), l.value());
    }

    /**
     * A module without biases from explicit weights (copied).
     *
     * @param wQuery {@code [dOut, dIn]}, PyTorch's layout
     * @param wKey   {@code [dOut, dIn]}
     * @param wValue {@code [dOut, dIn]}
     */
    public static SelfAttentionV2 fromWeights(INDArray wQuery, INDArray wKey, INDArray wValue) {
        return fromLayers(Linear.fromWeights(wQuery, null), Linear.fromWeights(wKey, null),
            Linear.fromWeights(wValue, null));
    }

    /** A module from three layers of the same shape (used as they are, not copied). */
    public static SelfAttentionV2 fromLayers(Linear query, Linear key, Linear value) {
        return new SelfAttentionV2(query, key, value);
    }

    /**
     * Self-attention, not causal: every token sees every token the mask leaves it.
     *
     * @param x    {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     * @param mask {@code [(batch,) tokens, tokens]}, true = attend, or null
     * @return context {@code [(batch,) tokens, dOut]} and weights {@code [(batch,) tokens, tokens]}
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask mask) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        if (mask == null) {
            return ScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x));
        }
        ModuleChecks.requireMaskFits(mask, x.rank() == 3 ? x.size(0) : 1, x.size(-2), x.size(-2));
        return ScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x), mask);
    }

    @Override
    public String toString() {
        return "SelfAttentionV2(dIn=" + dIn() + ", dOut=" + dOut() + ", qkvBias=" + query.bias().isPresent() + ")";
    }
}
