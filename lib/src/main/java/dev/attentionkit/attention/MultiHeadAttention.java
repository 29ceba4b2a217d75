package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head attention with weight splits (book section 3.6.2): one {@code dIn → dOut} projection each for
 * queries, keys and values, split into {@code numHeads} heads of {@code headDim = dOut / numHeads} features by
 * a reshape, attended in parallel, merged back and mixed by an output projection {@code outProj}.
 *
 * <pre>
 * q = W_query(x)                      [b, t, dOut]
 * q = q.view(b, t, h, hd)             [b, t, h, hd]
 * q = q.transpose(1, 2)               [b, h, t, hd]   (same for k and v)
 * w = softmax(mask(q · kᵀ / sqrt(hd)))  [b, h, t, t]
 * c = (w · v).transpose(1, 2)         [b, t, h, hd]
 * c = c.view(b, t, dOut)              [b, t, dOut]
 * y = outProj(c)                      [b, t, dOut]
 * </pre>
 *
 * {@link #attend(INDArray, Mask)} is causal self-attention, as in the book; {@link #crossAttend} is
 * cross-attention (queries from one sequence, keys and values from another) with only the mask you pass, never
 * causal. Starts in training mode (dropout active); {@link #eval()} switches dropout off.
 */
public final class MultiHeadAttention extends MultiHeadQkvAttention<MultiHeadAttention>
    implements CrossAttentionModule {
    // The layers query, key, value (dIn → dOut) and outProj (dOut → dOut, with bias) are kept, with their accessors,
    // by the package's MultiHeadQkvAttention, which TalkingHeadsAttention shares; numHeads, contextLength and causal
    // by AbstractAttentionModule.

    private MultiHeadAttention(Linear query, Linear key, Linear value, Linear outProj, int numHeads,
                               long contextLength, Dropout dropout, boolean causal) {
        super(query, key, value, outProj, numHeads, contextLength, dropout, causal);
    }

    /**
     * {@code MultiHeadAttention(dIn, dOut, contextLength, dropout, numHeads, qkvBias)} after
     * {@code torch.manual_seed(seed)}: W_query, W_key, W_value, then outProj (with bias), in that order.
     * Dropout masks are drawn from {@code seed} (not PyTorch's stream).
     */
    public static MultiHeadAttention fromSeed(long dIn, long dOut, long contextLength, double dropout, int numHeads,
                                              boolean qkvBias, long seed) {
        ModuleChecks.requireHeads(dOut, numHeads);
        Layers l = Layers.drawWithOutProj(dIn, dOut, qkvBias, TorchRandom.manualSeed(seed));
        return fromLayers(l.query(), l.key(), l.value(), l.outProj(), numHeads, contextLength, Dropout.of(dropout, seed));
    }

    /** The same from named sizes ({@link AttentionConfig}), so no two numbers can be swapped. */
    public static MultiHeadAttention fromSeed(AttentionConfig config, long seed) {
        return fromSeed(config.dIn(), config.dOut(), config.contextLength(), config.dropout(), config.numHeads(),
            config.qkvBias(), seed);
    }

    /** The book's default {@code qkv_bias=False}. */
    public static MultiHeadAttention fromSeed(long dIn, long dOut, long contextLength, double dropout, int numHeads,
                                              long seed) {
        return fromSeed(dIn, dOut, contextLength, dropout, numHeads, false, seed);
    }

    /**
     * From explicit weights in PyTorch's layout, no q/k/v bias, no dropout (copied).
     *
     * @param wQuery {@code [dOut, dIn]}
     * @param wKey   {@code [dOut, dIn]}
     * @param wValue {@code [dOut, dIn]}
     * @param wOut   {@code [dOut, dOut]}
     * @param bOut   {@code [dOut]}
     */
    public static MultiHeadAttention fromWeights(INDArray wQuery, INDArray wKey, INDArray wValue, INDArray wOut,
                                                 INDArray bOut, int numHeads, long contextLength) {
        return fromLayers(Linear.fromWeights(wQuery, null), Linear.fromWeights(wKey, null),
            Linear.fromWeights(wValue, null), Linear.fromWeights(wOut, bOut), numHeads, contextLength, null);
    }

    /** From layers (used as they are): q, k, v {@code dIn → dOut}, outProj {@code dOut → dOut}. */
    public static MultiHeadAttention fromLayers(Linear query, Linear key, Linear value, Linear outProj,
                                                int numHeads, long contextLength, Dropout dropout) {
        requireLayers(query, key, value, outProj, numHeads, contextLength);
        return new MultiHeadAttention(query, key, value, outProj, numHeads, contextLength, dropout, true);
    }

    /**
     * The weight-split module that computes exactly what {@code wrapper} computes (book exercise 3.2's
     * weight transfer): head i's query rows become rows {@code i·hd .. (i+1)·hd - 1} of {@code W_query} (same
     * for key, value and biases), and {@code outProj} is the identity with zero bias, because the wrapper
     * has no output projection. Dropout has the wrapper's {@code p} but its own masks, so compare in eval mode
     * or with {@code p = 0}.
     */
    public static MultiHeadAttention fromWrapper(MultiHeadAttentionWrapper wrapper) {
        List<CausalAttention> heads = wrapper.heads();
        Linear q = stackRows(heads.stream().map(CausalAttention::query).toList());
        Linear k = stackRows(heads.stream().map(CausalAttention::key).toList());
        Linear v = stackRows(heads.stream().map(CausalAttention::value).toList());
        long dOut = wrapper.dOut();
        Linear identity = Linear.fromWeights(Nd4j.eye(dOut).castTo(DataType.FLOAT), Nd4j.zeros(DataType.FLOAT, dOut));
        return fromLayers(q, k, v, identity, wrapper.numHeads(), wrapper.contextLength(),
            Dropout.of(heads.get(0).dropout().p(), 0));
    }

    private static Linear stackRows(List<Linear> layers) {
        INDArray w = Nd4j.concat(0, layers.stream().map(Linear::weight).toArray(INDArray[]::new)); // [h·hd, dIn]
        boolean bias = layers.get(0).bias().isPresent();
        INDArray b = bias ? Nd4j.concat(0, layers.stream().map(l -> l.bias().orElseThrow()).toArray(INDArray[]::new))
                          : null;                                                                 // [h·hd]
        return Linear.fromWeights(w, b);
    }

    /**
     * The same module without the causal mask, for an encoder (BERT-style, every token sees every other): it
     * <b>shares</b> this module's projections and dropout (training one trains both), so only the mask differs.
     */
    public MultiHeadAttention bidirectional() {
        return new MultiHeadAttention(query, key, value, outProj, numHeads(), contextLength(), dropout, false);
    }

    /**
     * Self-attention: causal (as in the book) unless this is the {@link #bidirectional()} form, with an extra
     * mask combined by {@code and} (e.g. padding).
     *
     * @param x     {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}, {@code tokens <= contextLength}
     * @param extra {@code [(batch,) tokens, tokens]}, true = attend, or null
     * @return context {@code [(batch,) tokens, dOut]} and weights {@code [(batch,) numHeads, tokens, tokens]}
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask extra) {
        Mask mask = ModuleChecks.selfAttentionMask(x, dIn(), contextLength(), isCausal(), extra);  // causal ∧ extra
        return run(x, x, mask);
    }

    /**
     * Cross-attention (or non-causal self-attention when both arguments are the same sequence) with only the
     * given mask, e.g. padding of the key sequence. No causal mask is added.
     *
     * @param xQuery    {@code [(batch,) queryTokens, dIn]}
     * @param xKeyValue {@code [(batch,) keyTokens, dIn]}
     * @param mask      {@code [(batch,) queryTokens, keyTokens]}, true = attend, or null
     * @return context {@code [(batch,) queryTokens, dOut]}, weights {@code [(batch,) numHeads, queryTokens, keyTokens]}
     */
    @Override
    public AttentionOutput crossAttend(INDArray xQuery, INDArray xKeyValue, Mask mask) {
        ModuleChecks.requireCross(xQuery, xKeyValue, dIn());
        ModuleChecks.requireMaskFits(mask, xQuery.rank() == 3 ? xQuery.size(0) : 1, xQuery.size(-2),
            xKeyValue.size(-2));
        return run(xQuery, xKeyValue, mask);
    }

    private AttentionOutput run(INDArray xQuery, INDArray xKeyValue, Mask mask) {
        boolean unbatched = xQuery.rank() == 2;
        INDArray xq = Heads.batched(xQuery);
        INDArray xkv = Heads.batched(xKeyValue);
        int h = numHeads();
        INDArray q = Heads.split(query.forward(xq), h);                     // [b, h, tq, hd]
        INDArray k = Heads.split(key.forward(xkv), h);                      // [b, h, tk, hd]
        INDArray v = Heads.split(value.forward(xkv), h);                    // [b, h, tk, hd]
        AttentionOutput heads = ScaledDotProductAttention.apply(q, k, v, mask, dropout);
        INDArray context = outProj.forward(Heads.merge(heads.context()));   // [b, tq, dOut]
        AttentionOutput out = new AttentionOutput(context, heads.weights());
        return unbatched ? Heads.unbatched(out) : out;
    }

    /** {@code W_query.weight}, ..., {@code out_proj.weight}, {@code out_proj.bias}; live. 2,360,064 values for
     * GPT-2 small (768, 12 heads, no qkv bias). */
    @Override
    public Map<String, INDArray> parameters() {
        return qkvParameters().add("out_proj", outProj).build();
    }
}
