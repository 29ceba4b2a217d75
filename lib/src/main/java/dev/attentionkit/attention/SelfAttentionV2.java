package dev.attentionkit.attention;

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
public final class SelfAttentionV2 {
    private final Linear query;
    private final Linear key;
    private final Linear value;

    private SelfAttentionV2(Linear query, Linear key, Linear value) {
        this.query = query;
        this.key = key;
        this.value = value;
    }

    /**
     * The layers {@code nn.Linear(dIn, dOut, bias=qkvBias)} for query, key and value, in that order,
     * after {@code torch.manual_seed(seed)}; seed 789 without bias gives the book's numbers.
     */
    public static SelfAttentionV2 fromSeed(long dIn, long dOut, boolean qkvBias, long seed) {
        TorchRandom random = TorchRandom.manualSeed(seed);
        Linear q = Linear.init(dIn, dOut, qkvBias, random);
        Linear k = Linear.init(dIn, dOut, qkvBias, random);
        Linear v = Linear.init(dIn, dOut, qkvBias, random);
        return new SelfAttentionV2(q, k, v);
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
        if (query.inFeatures() != key.inFeatures() || key.inFeatures() != value.inFeatures()
            || query.outFeatures() != key.outFeatures() || key.outFeatures() != value.outFeatures()) {
            throw new IllegalArgumentException(String.format(
                "query %s, key %s and value %s must have the same in and out sizes", query, key, value));
        }
        return new SelfAttentionV2(query, key, value);
    }

    /**
     * @param x {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     * @return context vectors {@code [tokens, dOut]} or {@code [batch, tokens, dOut]}
     */
    public INDArray forward(INDArray x) {
        return attend(x).context();
    }

    /**
     * Like {@link #forward}, also returning the attention weights {@code [(batch,) tokens, tokens]}.
     *
     * @param x {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     */
    public AttentionOutput attend(INDArray x) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        return ScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x));
    }

    /** The query projection; its weight is {@code [dOut, dIn]}. */
    public Linear query() {
        return query;
    }

    /** The key projection; its weight is {@code [dOut, dIn]}. */
    public Linear key() {
        return key;
    }

    /** The value projection; its weight is {@code [dOut, dIn]}. */
    public Linear value() {
        return value;
    }

    public long dIn() {
        return query.inFeatures();
    }

    public long dOut() {
        return query.outFeatures();
    }

    /** Number of trainable values in the three projections. */
    public long parameterCount() {
        return query.parameterCount() + key.parameterCount() + value.parameterCount();
    }

    @Override
    public String toString() {
        return "SelfAttentionV2(dIn=" + dIn() + ", dOut=" + dOut() + ", qkvBias=" + query.bias().isPresent() + ")";
    }
}
