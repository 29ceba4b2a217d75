package dev.attentionkit.train;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.Mask;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A {@link MultiHeadAttention} (weight splits) whose four projections are SameDiff variables. The heads are
 * split and merged by the same reshape and transpose as the plain module:
 *
 * <pre>
 * q = W_query(x).view(b, t, h, hd).transpose(1, 2)   [b, h, t, hd]   (same for k, v)
 * c = attention(q, k, v, mask)                       [b, h, t, hd]
 * y = outProj(c.transpose(1, 2).view(b, t, dOut))    [b, t, dOut]
 * </pre>
 *
 * Dropout is left out: the graph computes what the plain module computes in {@code eval()} mode.
 */
public final class TrainableMultiHeadAttention extends TrainableQkv<MultiHeadAttention> {
    private final TrainableLinear outProj;   // out_proj [dOut, dOut]

    private TrainableMultiHeadAttention(SameDiff sd, String name, MultiHeadAttention plain) {
        super(sd, name, plain, plain.contextLength());
        this.outProj = parameters.linear("out_proj");
    }

    /**
     * One variable per entry of {@code plain.parameters()}, named {@code name.W_query.weight}, ...,
     * {@code name.out_proj.bias}, initialised from copies of {@code plain}'s weights.
     */
    public static TrainableMultiHeadAttention from(SameDiff sd, String name, MultiHeadAttention plain) {
        return new TrainableMultiHeadAttention(sd, name, plain);
    }

    /**
     * Causal self-attention, as {@link MultiHeadAttention#attend(org.nd4j.linalg.api.ndarray.INDArray)}.
     *
     * @param x {@code [batch, tokens, dIn]}, with {@code tokens} fixed when the graph is built
     * @return context {@code [batch, tokens, dOut]} and weights {@code [batch, heads, tokens, tokens]}
     */
    public TrainableAttentionOutput attend(SDVariable x) {
        long tokens = selfTokens(x);
        return attend(x, x, CausalMask.of(tokens));
    }

    /**
     * Cross-attention with only the given mask, as
     * {@link MultiHeadAttention#attend(org.nd4j.linalg.api.ndarray.INDArray, org.nd4j.linalg.api.ndarray.INDArray, Mask)}.
     *
     * @param xQuery    {@code [batch, queryTokens, dIn]}, token count fixed when the graph is built
     * @param xKeyValue {@code [batch, keyTokens, dIn]}, token count fixed when the graph is built
     * @param mask      {@code [(batch,) queryTokens, keyTokens]}, true = attend, or null
     * @return context {@code [batch, queryTokens, dOut]} and weights {@code [batch, heads, queryTokens, keyTokens]}
     */
    public TrainableAttentionOutput attend(SDVariable xQuery, SDVariable xKeyValue, Mask mask) {
        long tq = TrainableScaledDotProductAttention.size(xQuery, 2, "TrainableMultiHeadAttention xQuery");
        long tk = TrainableScaledDotProductAttention.size(xKeyValue, 2, "TrainableMultiHeadAttention xKeyValue");
        return attend(xQuery, xKeyValue, tq, tk, mask);
    }

    /**
     * As {@link #attend(SDVariable, SDVariable, Mask)}, with the token counts given, for inputs whose shape
     * SameDiff does not know while the graph is built (e.g. the output of a layer norm).
     *
     * @param xQuery    {@code [batch, queryTokens, dIn]}
     * @param xKeyValue {@code [batch, keyTokens, dIn]}
     */
    public TrainableAttentionOutput attend(SDVariable xQuery, SDVariable xKeyValue, long tq, long tk, Mask mask) {
        SDVariable q = split(query.forward(xQuery), tq);                    // [b, h, tq, hd]
        SDVariable k = split(key.forward(xKeyValue), tk);                   // [b, h, tk, hd]
        SDVariable v = split(value.forward(xKeyValue), tk);                 // [b, h, tk, hd]
        TrainableAttentionOutput heads = TrainableScaledDotProductAttention.apply(q, k, v, plain.headDim(), mask, true);
        SDVariable merged = heads.context().permute(0, 2, 1, 3)             // [b, tq, h, hd]
            .reshape(-1, tq, plain.dOut());                                 // [b, tq, dOut]
        return new TrainableAttentionOutput(outProj.forward(merged), heads.weights());
    }

    private SDVariable split(SDVariable x, long tokens) {
        return x.reshape(-1, tokens, plain.numHeads(), plain.headDim())   // [b, t, h, hd]
            .permute(0, 2, 1, 3);                                           // [b, h, t, hd]
    }

    /** A plain {@link MultiHeadAttention} with the current (trained) weights and the original's dropout. */
    public MultiHeadAttention toPlain() {
        return MultiHeadAttention.fromLayers(query.toPlain(), key.toPlain(), value.toPlain(), outProj.toPlain(),
            plain.numHeads(), plain.contextLength(), plain.dropout());
    }

    /** {@code out_proj}: weight {@code [dOut, dOut]}, bias {@code [dOut]}. */
    public TrainableLinear outProj() {
        return outProj;
    }
}
