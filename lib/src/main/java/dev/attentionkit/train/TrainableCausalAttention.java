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
public final class TrainableCausalAttention {
    private final CausalAttention plain;
    private final TrainableLinear query;
    private final TrainableLinear key;
    private final TrainableLinear value;

    private TrainableCausalAttention(CausalAttention plain, TrainableLinear query, TrainableLinear key,
                                     TrainableLinear value) {
        this.plain = plain;
        this.query = query;
        this.key = key;
        this.value = value;
    }

    /** Variables {@code name.query.weight}, {@code name.key.weight}, ... initialised from {@code plain}'s weights. */
    public static TrainableCausalAttention from(SameDiff sd, String name, CausalAttention plain) {
        return new TrainableCausalAttention(plain,
            TrainableLinear.from(sd, name + ".query", plain.query()),
            TrainableLinear.from(sd, name + ".key", plain.key()),
            TrainableLinear.from(sd, name + ".value", plain.value()));
    }

    /**
     * @param x {@code [batch, tokens, dIn]}, with {@code tokens} fixed when the graph is built
     * @return context {@code [batch, tokens, dOut]} and weights {@code [batch, tokens, tokens]}
     */
    public TrainableAttentionOutput attend(SDVariable x) {
        long tokens = TrainableScaledDotProductAttention.size(x, 2, "TrainableCausalAttention input x");
        if (tokens > plain.contextLength()) {
            throw new IllegalArgumentException("TrainableCausalAttention: " + tokens
                + " tokens exceed contextLength " + plain.contextLength());
        }
        return TrainableScaledDotProductAttention.apply(query.forward(x), key.forward(x), value.forward(x),
            plain.dOut(), CausalMask.of(tokens));
    }

    /** A plain {@link CausalAttention} with the current (trained) weights and the original's dropout. */
    public CausalAttention toPlain() {
        return CausalAttention.fromLayers(query.toPlain(), key.toPlain(), value.toPlain(), plain.contextLength(),
            plain.dropout());
    }

    public TrainableLinear query() {
        return query;
    }

    public TrainableLinear key() {
        return key;
    }

    public TrainableLinear value() {
        return value;
    }
}
