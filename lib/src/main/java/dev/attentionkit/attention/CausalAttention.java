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
public final class CausalAttention extends QkvAttention<CausalAttention> {
    private CausalAttention(Linear query, Linear key, Linear value, long contextLength, Dropout dropout) {
        super(query, key, value, dropout, 1, contextLength, true);   // one head, causal
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

    /** The same from named sizes ({@link AttentionConfig}; one head, so {@code numHeads} must be 1). */
    public static CausalAttention fromSeed(AttentionConfig config, long seed) {
        if (config.numHeads() != 1) {
            throw new IllegalArgumentException("CausalAttention is one head; got " + config + " (use MultiHeadAttention)");
        }
        return fromSeed(config.dIn(), config.dOut(), config.contextLength(), config.dropout(), config.qkvBias(), seed);
    }

    /**
     * Draws the three layers from an existing generator, as a module constructed after others in PyTorch does
     * (used by {@link MultiHeadAttentionWrapper}).
     */
    public static CausalAttention init(long dIn, long dOut, long contextLength, double dropout, boolean qkvBias,
                                       TorchRandom random, long dropoutSeed) {
        Layers l = Layers.draw(dIn, dOut, qkvBias, random);
        return fromLayers(l.query(), l.key(), l.value(), contextLength, Dropout.of(dropout, dropoutSeed));
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
        ModuleChecks.requirePositive(contextLength, "contextLength");
        return new CausalAttention(query, key, value, contextLength, dropout);
    }

    /**
     * Causal self-attention with an extra mask combined by {@code and}, e.g. {@link dev.attentionkit.mask.PaddingMask}.
     *
     * @param x     {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}, {@code tokens <= contextLength}
     * @param extra {@code [(batch,) tokens, tokens]}, true = attend, or null
     * @return context {@code [(batch,) tokens, dOut]} and weights {@code [(batch,) tokens, tokens]} (after dropout)
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask extra) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        long tokens = x.size(-2);
        ModuleChecks.requireWithinContext(x, contextLength());
        ModuleChecks.requireMaskFits(extra, x.rank() == 3 ? x.size(0) : 1, tokens, tokens);
        Mask mask = CausalMask.of(tokens);
        if (extra != null) {
            mask = mask.and(extra);
        }
        return ScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x), mask, dropout);
    }

    @Override
    public String toString() {
        return "CausalAttention(dIn=" + dIn() + ", dOut=" + dOut() + ", contextLength=" + contextLength()
            + ", dropout=" + dropout.p() + ", qkvBias=" + query.bias().isPresent() + ")";
    }
}
