package dev.attentionkit.transformer;

import dev.attentionkit.attention.AttentionModule;
import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A transformer encoder block, <b>pre-LN</b> (layer norm before each sub-layer, as GPT-2 and most models since;
 * the 2017 paper normalised after the residual sum, "post-LN", which needs learning-rate warm-up to train):
 *
 * <pre>
 * a = x + attention(ln1(x))     [b, t, d]   multi-head self-attention
 * y = a + ffn(ln2(a))           [b, t, d]   position-wise feed-forward
 * </pre>
 *
 * The residual paths carry {@code x} past both sub-layers untouched, so each sub-layer only has to learn a
 * correction. The attention is any {@link AttentionModule} of width {@code d → d}: {@link #fromSeed} uses the
 * library's {@link MultiHeadAttention} in its {@link MultiHeadAttention#bidirectional() bidirectional} form, so
 * every token sees every other (an encoder) unless {@code mask} blocks some; a causal module makes it a decoder
 * block. The block switches nothing in the modules it is given: dropout is whatever their {@code train()} /
 * {@code eval()} state says ({@link #fromSeed} has none).
 */
public final class TransformerBlock implements NamedParameters {
    private final LayerNorm ln1;
    private final AttentionModule attention;
    private final LayerNorm ln2;
    private final FeedForward ffn;

    private TransformerBlock(LayerNorm ln1, AttentionModule attention, LayerNorm ln2, FeedForward ffn) {
        this.ln1 = ln1;
        this.attention = attention;
        this.ln2 = ln2;
        this.ffn = ffn;
    }

    /**
     * Seeded: attention from {@code MultiHeadAttention.fromSeed(d, d, contextLength, 0, numHeads, false, seed)}
     * made {@linkplain MultiHeadAttention#bidirectional() bidirectional}, feed-forward from {@code seed + 1},
     * layer norms at gamma = 1, beta = 0.
     */
    public static TransformerBlock fromSeed(long d, int numHeads, long ffnHidden, long contextLength, long seed) {
        return of(LayerNorm.of(d), MultiHeadAttention.fromSeed(d, d, contextLength, 0, numHeads, false, seed).bidirectional(),
            LayerNorm.of(d), FeedForward.fromSeed(d, ffnHidden, seed + 1));
    }

    /**
     * From parts, used as they are (shared, not copied, and not switched to {@code eval()}): all must have the same
     * width {@code d}, attention {@code d → d}.
     */
    public static TransformerBlock of(LayerNorm ln1, AttentionModule attention, LayerNorm ln2, FeedForward ffn) {
        long d = ln1.d();
        if (attention.dIn() != d || attention.dOut() != d || ln2.d() != d || ffn.d() != d) {
            throw new IllegalArgumentException(String.format("TransformerBlock: every part needs width d = %d, got "
                + "ln1 %d, attention %d → %d, ln2 %d, ffn %d", d, ln1.d(), attention.dIn(), attention.dOut(),
                ln2.d(), ffn.d()));
        }
        return new TransformerBlock(ln1, attention, ln2, ffn);
    }

    /**
     * @param x {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @return {@code [(batch,) tokens, d]}
     */
    public INDArray forward(INDArray x) {
        return attend(x, null).context();
    }

    /**
     * @param x    {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @param mask {@code [(batch,) tokens, tokens]}, true = attend, or null for full attention
     * @return the block output {@code [(batch,) tokens, d]} (as {@code context}) and the attention weights
     *         {@code [(batch,) heads, tokens, tokens]}
     */
    public AttentionOutput attend(INDArray x, Mask mask) {
        Shapes.requireSequence(x, "TransformerBlock input", d(), "[batch, tokens, d]");
        INDArray h = ln1.forward(x);                                   // [b, t, d]
        AttentionOutput att = attention.attend(h, mask);               // [b, t, d], weights [b, h, t, t]
        INDArray a = x.add(att.context());                             // residual
        INDArray y = a.add(ffn.forward(ln2.forward(a)));               // residual
        return new AttentionOutput(y, att.weights());
    }

    public LayerNorm ln1() {
        return ln1;
    }

    /** The attention sub-layer (the module itself, shared). */
    public AttentionModule attention() {
        return attention;
    }

    public LayerNorm ln2() {
        return ln2;
    }

    public FeedForward ffn() {
        return ffn;
    }

    public long d() {
        return ln1.d();
    }

    /**
     * {@code ln1.weight}, {@code ln1.bias}, {@code attention.W_query.weight}, ..., {@code ffn.fc2.bias}: each part's
     * named parameters under the part's name, in the order of the forward pass; live.
     */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("ln1", ln1).add("attention", attention).add("ln2", ln2).add("ffn", ffn)
            .build();
    }

    @Override
    public String toString() {
        String heads = attention instanceof MultiHeadAttention m ? "heads=" + m.numHeads()
            : "attention=" + attention.getClass().getSimpleName();
        return "TransformerBlock(pre-LN, d=" + d() + ", " + heads + ", ffn hidden=" + ffn.hidden() + ", "
            + parameterCount() + " parameters)";
    }
}
