package dev.attentionkit.attention;

import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Self-attention that cannot look ahead, with dropout on the weights: the book's compact
 * {@code CausalAttention(d_in, d_out, context_length, dropout, qkv_bias)} (section 3.5.3).
 *
 * <pre>
 * queries = x · W_queryᵀ                      [b, t, dOut]
 * scores  = queries · keysᵀ / sqrt(dOut)      [b, t, t]
 * scores  = masked_fill(future, -∞)           token i sees tokens 0..i only
 * weights = dropout(softmax(scores))          [b, t, t]
 * context = weights · values                  [b, t, dOut]
 * </pre>
 *
 * Like a PyTorch module it starts in training mode (dropout active); {@link #eval()} switches dropout off.
 */
public final class CausalAttention {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final long contextLength;
    private final Dropout dropout;
    private Mask causal; // the last causal mask built, reused while the token count stays the same

    private CausalAttention(Linear query, Linear key, Linear value, long contextLength, Dropout dropout) {
        this.query = query;
        this.key = key;
        this.value = value;
        this.contextLength = contextLength;
        this.dropout = dropout;
    }

    /**
     * The module {@code CausalAttention(dIn, dOut, contextLength, dropout, qkvBias)} creates after
     * {@code torch.manual_seed(seed)}: query, key, value layers drawn in that order. Seed 123, dOut 2, no bias
     * gives the book's numbers. Dropout masks are drawn from {@code seed} too (not PyTorch's stream).
     */
    public static CausalAttention fromSeed(long dIn, long dOut, long contextLength, double dropout,
                                           boolean qkvBias, long seed) {
        return init(dIn, dOut, contextLength, dropout, qkvBias, TorchRandom.manualSeed(seed), seed);
    }

    /**
     * Draws the three layers from an existing generator, as a module constructed after others in PyTorch does
     * (used by {@link MultiHeadAttentionWrapper}).
     */
    public static CausalAttention init(long dIn, long dOut, long contextLength, double dropout, boolean qkvBias,
                                       TorchRandom random, long dropoutSeed) {
        Linear q = Linear.init(dIn, dOut, qkvBias, random);
        Linear k = Linear.init(dIn, dOut, qkvBias, random);
        Linear v = Linear.init(dIn, dOut, qkvBias, random);
        return fromLayers(q, k, v, contextLength, Dropout.of(dropout, dropoutSeed));
    }

    /**
     * From explicit weights in PyTorch's layout, no bias, no dropout (copied).
     *
     * @param wQuery {@code [dOut, dIn]}
     * @param wKey   {@code [dOut, dIn]}
     * @param wValue {@code [dOut, dIn]}
     */
    public static CausalAttention fromWeights(INDArray wQuery, INDArray wKey, INDArray wValue, long contextLength) {
        return fromLayers(Linear.fromWeights(wQuery, null), Linear.fromWeights(wKey, null),
            Linear.fromWeights(wValue, null), contextLength, null);
    }

    /**
     * From three projections of equal shape (used as they are, not copied).
     *
     * @param query weight {@code [dOut, dIn]}
     * @param contextLength the longest sequence accepted (the book's mask buffer size)
     */
    public static CausalAttention fromLayers(Linear query, Linear key, Linear value, long contextLength,
                                             Dropout dropout) {
        ModuleChecks.requireSameShape(query, key, value);
        ModuleChecks.requirePositive(contextLength, "contextLength");
        return new CausalAttention(query, key, value, contextLength, dropout == null ? Dropout.of(0, 0) : dropout);
    }

    /**
     * @param x {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}, {@code tokens <= contextLength}
     * @return context vectors {@code [(batch,) tokens, dOut]}
     */
    public INDArray forward(INDArray x) {
        return attend(x).context();
    }

    /**
     * @param x {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}, {@code tokens <= contextLength}
     * @return context {@code [(batch,) tokens, dOut]} and weights {@code [(batch,) tokens, tokens]} (after dropout)
     */
    public AttentionOutput attend(INDArray x) {
        return attend(x, null);
    }

    /**
     * Causal attention with an extra mask combined by {@code and}, e.g. {@link dev.attentionkit.mask.PaddingMask}.
     *
     * @param x     {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}
     * @param extra {@code [(batch,) tokens, tokens]}, true = attend, or null
     */
    public AttentionOutput attend(INDArray x, Mask extra) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        long tokens = x.size(-2);
        ModuleChecks.requireWithinContext(x, contextLength);
        Mask mask = causalMask(tokens);
        if (extra != null) {
            mask = mask.and(extra);
        }
        return ScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x), mask, dropout);
    }

    private Mask causalMask(long tokens) {
        if (causal == null || causal.queries() != tokens) {
            causal = CausalMask.of(tokens);
        }
        return causal;
    }

    /** Dropout on (the default), as {@code module.train()}; returns this. */
    public CausalAttention train() {
        dropout.train();
        return this;
    }

    /** Dropout off, as {@code module.eval()}; returns this. */
    public CausalAttention eval() {
        dropout.eval();
        return this;
    }

    /** The query projection, weight {@code [dOut, dIn]}. */
    public Linear query() {
        return query;
    }

    /** The key projection, weight {@code [dOut, dIn]}. */
    public Linear key() {
        return key;
    }

    /** The value projection, weight {@code [dOut, dIn]}. */
    public Linear value() {
        return value;
    }

    public Dropout dropout() {
        return dropout;
    }

    public long dIn() {
        return query.inFeatures();
    }

    public long dOut() {
        return query.outFeatures();
    }

    public long contextLength() {
        return contextLength;
    }

    public long parameterCount() {
        return query.parameterCount() + key.parameterCount() + value.parameterCount();
    }

    @Override
    public String toString() {
        return "CausalAttention(dIn=" + dIn() + ", dOut=" + dOut() + ", contextLength=" + contextLength
            + ", dropout=" + dropout.p() + ", qkvBias=" + query.bias().isPresent() + ")";
    }
}
