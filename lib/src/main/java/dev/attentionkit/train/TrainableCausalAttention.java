package dev.attentionkit.train;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.mask.CausalMask;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A {@link CausalAttention} whose three projections are SameDiff variables: the same forward pass
 * (project, scale, causal mask, softmax, weighted sum), now differentiable and trainable.
 *
 * <p>Dropout is left out: the graph computes what the plain module computes in {@code eval()} mode.
 */
public final class TrainableCausalAttention extends TrainableQkv<CausalAttention> {

    private TrainableCausalAttention(SameDiff sd, String name, CausalAttention plain) {
        super(sd, name, plain, plain.contextLength());
    }

    /**
     * One variable per entry of {@code plain.parameters()}, named {@code name.W_query.weight}, ..., initialised
     * from copies of {@code plain}'s weights.
     */
    public static TrainableCausalAttention from(SameDiff sd, String name, CausalAttention plain) {
        return new TrainableCausalAttention(sd, name, plain);
    }

    /**
     * @param x {@code [batch, tokens, dIn]}, with {@code tokens} fixed when the graph is built
     * @return context {@code [batch, tokens, dOut]} and weights {@code [batch, tokens, tokens]}
     */
    public TrainableAttentionOutput attend(SDVariable x) {
        long tokens = selfTokens(x);
        return TrainableScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x),
            plain.dOut(), CausalMask.of(tokens));
    }

    /** A plain {@link CausalAttention} with the current (trained) weights and the original's dropout. */
    public CausalAttention toPlain() {
        return CausalAttention.fromLayers(query.toPlain(), key.toPlain(), value.toPlain(), plain.contextLength(),
            plain.dropout());
    }
}
