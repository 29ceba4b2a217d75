package dev.attentionkit.train;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A {@link TransformerBlock} (pre-LN) as SameDiff variables, built from the plain block's weights:
 *
 * <pre>
 * a = x + attention(ln1(x), ln1(x), mask)   [b, t, d]
 * y = a + ffn(ln2(a))                       [b, t, d]
 * </pre>
 */
public final class TrainableTransformerBlock {
    private final TransformerBlock plain;
    private final TrainableLayerNorm ln1;
    private final TrainableMultiHeadAttention attention;
    private final TrainableLayerNorm ln2;
    private final TrainableFeedForward ffn;
    private final TrainableParameters parameters;   // all of the above, by the block's state_dict names

    private TrainableTransformerBlock(SameDiff sd, String name, TransformerBlock plain, MultiHeadAttention mha) {
        this.plain = plain;
        ln1 = TrainableLayerNorm.from(sd, name + ".ln1", plain.ln1());
        attention = TrainableMultiHeadAttention.from(sd, name + ".attention", mha);
        ln2 = TrainableLayerNorm.from(sd, name + ".ln2", plain.ln2());
        ffn = TrainableFeedForward.from(sd, name + ".ffn", plain.ffn());
        parameters = TrainableParameters.union(name, Map.of("ln1", ln1.parameters(), "attention",
            attention.parameters(), "ln2", ln2.parameters(), "ffn", ffn.parameters()), plain.parameters().keySet());
    }

    /**
     * Variables {@code name.ln1.weight}, {@code name.attention.W_query.weight}, ..., {@code name.ffn.fc2.bias}: one
     * per entry of {@code plain.parameters()}, copies of its arrays. The block's attention must be a
     * {@link MultiHeadAttention} (causal or bidirectional: the twin keeps which).
     */
    public static TrainableTransformerBlock from(SameDiff sd, String name, TransformerBlock plain) {
        if (!(plain.attention() instanceof MultiHeadAttention mha)) {
            throw new IllegalArgumentException("a trainable twin exists for blocks whose attention is a "
                + "MultiHeadAttention; this block has " + plain.attention());
        }
        return new TrainableTransformerBlock(sd, name, plain, mha);
    }

    /**
     * @param x      {@code [batch, tokens, d]}
     * @param tokens the token count of {@code x} (SameDiff may not know it while the graph is built)
     * @param mask {@code [(batch,) tokens, tokens]}, true = attend, or null
     * @return the block output {@code [batch, tokens, d]} (as {@code context}) and the attention weights
     *         {@code [batch, heads, tokens, tokens]}
     */
    public TrainableAttentionOutput attend(SDVariable x, long tokens, Mask mask) {
        SDVariable h = ln1.forward(x);                                  // [b, t, d]
        Mask full = !isCausal() ? mask : mask == null ? CausalMask.of(tokens) : CausalMask.of(tokens).and(mask);
        TrainableAttentionOutput att = attention.attend(h, h, tokens, tokens, full);
        SDVariable a = x.add(att.context());
        SDVariable y = a.add(ffn.forward(ln2.forward(a)));
        return new TrainableAttentionOutput(y, att.weights());
    }

    /** A plain block with the current (trained) weights. */
    public TransformerBlock toPlain() {
        MultiHeadAttention mha = attention.toPlain();
        return TransformerBlock.of(ln1.toPlain(), isCausal() ? mha : mha.bidirectional(), ln2.toPlain(), ffn.toPlain());
    }

    /** Whether the block's self-attention is causal (a decoder block), as the plain block's was. */
    public boolean isCausal() {
        return plain.attention().isCausal();
    }

    /** Every variable by the plain block's state_dict name ({@code ln1.weight}, {@code attention.W_query.weight}, ...). */
    public TrainableParameters parameters() {
        return parameters;
    }

    /**
     * Writes the current (trained) values into {@code target}'s live parameters (the block this twin was built
     * from, or any block with the same state_dict names and shapes); returns {@code target}.
     */
    public TransformerBlock copyInto(TransformerBlock target) {
        parameters.copyInto(target.parameters());
        return target;
    }

    public TrainableMultiHeadAttention attention() {
        return attention;
    }

    public int numHeads() {
        return ((MultiHeadAttention) plain.attention()).numHeads();
    }
}
