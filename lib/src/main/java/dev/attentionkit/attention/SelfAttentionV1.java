package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Self-attention with trainable weight matrices, as book section 3.4.2 first writes it
 * ({@code SelfAttention_v1}): the matrices are {@code [dIn, dOut]} and applied as {@code x · W}.
 *
 * <pre>
 * queries = x · W_query            [tokens, dOut]
 * keys    = x · W_key              [tokens, dOut]
 * values  = x · W_value            [tokens, dOut]
 * weights = softmax(queries · keysᵀ / sqrt(dOut))
 * context = weights · values       [tokens, dOut]
 * </pre>
 */
public final class SelfAttentionV1 extends AbstractAttentionModule<SelfAttentionV1> {
    private static final String LAYOUT = "[dIn, dOut]";

    private final INDArray wQuery; // [dIn, dOut]
    private final INDArray wKey;   // [dIn, dOut]
    private final INDArray wValue; // [dIn, dOut]

    private SelfAttentionV1(INDArray wQuery, INDArray wKey, INDArray wValue) {
        // No dropout in the book's v1 (only the train/eval mode), one head, any length, not causal.
        super(null, new Sizes(wQuery.size(0), wQuery.size(1), 1, NO_CONTEXT_LIMIT, false));
        this.wQuery = wQuery;
        this.wKey = wKey;
        this.wValue = wValue;
    }

    /**
     * The weights the book gets from {@code torch.manual_seed(seed)} followed by three
     * {@code torch.rand(dIn, dOut)} (query, key, value); seed 123 gives the book's numbers.
     */
    public static SelfAttentionV1 fromSeed(long dIn, long dOut, long seed) {
        TorchRandom random = TorchRandom.manualSeed(seed);
        return new SelfAttentionV1(random.rand(dIn, dOut), random.rand(dIn, dOut), random.rand(dIn, dOut));
    }

    /**
     * A module with the given matrices (copied).
     *
     * @param wQuery {@code [dIn, dOut]}
     * @param wKey   {@code [dIn, dOut]}
     * @param wValue {@code [dIn, dOut]}
     */
    public static SelfAttentionV1 fromWeights(INDArray wQuery, INDArray wKey, INDArray wValue) {
        Shapes.requireMatrix(wQuery, "wQuery", LAYOUT);
        long[] shape = wQuery.shape();
        Shapes.requireShape(wKey, "wKey", LAYOUT + " like wQuery", shape);
        Shapes.requireShape(wValue, "wValue", LAYOUT + " like wQuery", shape);
        return new SelfAttentionV1(wQuery.dup('c'), wKey.dup('c'), wValue.dup('c'));
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
            return ScaledDotProductAttention.apply(project(x, wQuery), project(x, wKey), project(x, wValue));
        }
        ModuleChecks.requireMaskFits(mask, x.rank() == 3 ? x.size(0) : 1, x.size(-2), x.size(-2));
        return ScaledDotProductAttention.apply(project(x, wQuery), project(x, wKey), project(x, wValue), mask);
    }

    /** {@code W_query}, {@code W_key}, {@code W_value} (the book's {@code nn.Parameter}s), live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("W_query", wQuery).add("W_key", wKey).add("W_value", wValue).build();
    }

    /** {@code x · W} for {@code x} of rank 2 or 3 and {@code W [dIn, dOut]}. */
    private static INDArray project(INDArray x, INDArray w) {
        long[] shape = x.shape().clone();
        shape[shape.length - 1] = w.size(1);
        return x.reshape('c', x.length() / w.size(0), w.size(0)).mmul(w).reshape('c', shape);
    }

    /** {@code [dIn, dOut]} (the live array). */
    public INDArray wQuery() {
        return wQuery;
    }

    /** {@code [dIn, dOut]} (the live array). */
    public INDArray wKey() {
        return wKey;
    }

    /** {@code [dIn, dOut]} (the live array). */
    public INDArray wValue() {
        return wValue;
    }

    @Override
    public String toString() {
        return "SelfAttentionV1(dIn=" + dIn() + ", dOut=" + dOut() + ")";
    }
}
