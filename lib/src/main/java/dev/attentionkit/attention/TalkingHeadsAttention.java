package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.tensor.Softmax;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Talking-heads attention (Shazeer, Lan, Cheng, Ding and Hou, 2020): {@link MultiHeadAttention} whose heads talk to each
 * other twice, through two learned {@code [heads, heads]} matrices. The logits of all heads are mixed before the
 * softmax, and the weights of all heads after it:
 *
 * <pre>
 * q, k, v = split(W_query(x)), ...              [b, h, t, hd]
 * s_i  = q_i · k_iᵀ / sqrt(hd)                  [b, h, t, t]   head i's logits, as in multi-head attention
 * l_j  = Σ_i s_i · P_logits[i, j]               [b, h, t, t]   pre_softmax_proj: heads mix their logits
 * a_j  = softmax(mask(l_j))                     [b, h, t, t]
 * w_j  = Σ_i a_i · P_weights[i, j]              [b, h, t, t]   post_softmax_proj: heads mix their weights
 * c_j  = w_j · v_j                              [b, h, t, hd]
 * y    = outProj(merge(c))                      [b, t, dOut]
 * </pre>
 *
 * Entry {@code [i, j]} of a mixing matrix is how much head i contributes to head j, the paper's layout
 * ({@code einsum('bhqk,hj->bjqk')}); with both matrices the identity the heads are independent again and the module
 * computes exactly what {@link MultiHeadAttention} computes with the same projections. The mask is applied after the
 * logits are mixed (a hidden key stays hidden in every head) and a masked key gets weight 0 in every head after the
 * second mix too; but a row of {@code w_j} sums to {@code Σ_i P_weights[i, j]}, not to 1. Dropout acts on the final
 * weights {@code w}, and {@link #attend} returns them.
 *
 * <p>Causal like {@link MultiHeadAttention}; {@link #bidirectional()} gives the encoder form. Starts in training mode.
 */
public final class TalkingHeadsAttention extends MultiHeadQkvAttention<TalkingHeadsAttention> {
    // query, key, value and outProj are kept, with their accessors, by the package's MultiHeadQkvAttention, exactly as
    // for MultiHeadAttention (numHeads, contextLength and causal by AbstractAttentionModule); the two mixing matrices
    // are this module's own.
    private final INDArray logitsMix;      // [h, h]: pre_softmax_proj
    private final INDArray weightsMix;     // [h, h]: post_softmax_proj

    private TalkingHeadsAttention(Linear query, Linear key, Linear value, INDArray logitsMix, INDArray weightsMix,
                                  Linear outProj, int numHeads, long contextLength, Dropout dropout, boolean causal) {
        super(query, key, value, outProj, numHeads, contextLength, dropout, causal);
        this.logitsMix = logitsMix;
        this.weightsMix = weightsMix;
    }

    /**
     * The module as {@link MultiHeadAttention#fromSeed(AttentionConfig, long)} draws it (the same q, k, v and
     * outProj for the same seed), with both mixing matrices starting at the identity plus
     * {@code uniform(-1/sqrt(h), 1/sqrt(h)) · 0.1}, drawn after outProj: the heads start nearly independent, so
     * training decides how much they talk. {@code mixNoise = 0} starts at exactly independent heads.
     */
    public static TalkingHeadsAttention fromSeed(AttentionConfig config, double mixNoise, long seed) {
        if (!(mixNoise >= 0) || Double.isInfinite(mixNoise)) {
            throw new IllegalArgumentException("mixNoise must be a number >= 0, got " + mixNoise);
        }
        TorchRandom random = TorchRandom.manualSeed(seed);
        Layers l = Layers.drawWithOutProj(config.dIn(), config.dOut(), config.qkvBias(), random);  // as MultiHeadAttention
        int h = config.numHeads();
        double bound = mixNoise / Math.sqrt(h);
        INDArray eye = Nd4j.eye(h).castTo(DataType.FLOAT);
        INDArray pl = eye.add(random.uniform(-bound, bound, h, h).castTo(DataType.FLOAT));
        INDArray pw = eye.add(random.uniform(-bound, bound, h, h).castTo(DataType.FLOAT));
        return fromLayers(l.query(), l.key(), l.value(), pl, pw, l.outProj(), h, config.contextLength(),
            Dropout.of(config.dropout(), seed));
    }

    /** {@link #fromSeed(AttentionConfig, double, long)} with {@code mixNoise = 0.1}. */
    public static TalkingHeadsAttention fromSeed(AttentionConfig config, long seed) {
        return fromSeed(config, 0.1, seed);
    }

    /**
     * From explicit weights in PyTorch's layout, no q/k/v bias, no dropout (all copied).
     *
     * @param wQuery     {@code [dOut, dIn]}
     * @param wKey       {@code [dOut, dIn]}
     * @param wValue     {@code [dOut, dIn]}
     * @param logitsMix  {@code [heads, heads]}, entry {@code [i, j]}: head i's logits into head j
     * @param weightsMix {@code [heads, heads]}, entry {@code [i, j]}: head i's weights into head j
     * @param wOut       {@code [dOut, dOut]}
     * @param bOut       {@code [dOut]}
     */
    public static TalkingHeadsAttention fromWeights(INDArray wQuery, INDArray wKey, INDArray wValue, INDArray logitsMix,
                                                    INDArray weightsMix, INDArray wOut, INDArray bOut, int numHeads,
                                                    long contextLength) {
        return fromLayers(Linear.fromWeights(wQuery, null), Linear.fromWeights(wKey, null),
            Linear.fromWeights(wValue, null), logitsMix, weightsMix, Linear.fromWeights(wOut, bOut), numHeads,
            contextLength, null);
    }

    /**
     * A multi-head module's projections (shared, as {@link MultiHeadAttention#bidirectional()} shares them) with the
     * given mixing matrices (copied); causal or bidirectional as {@code heads} is.
     */
    public static TalkingHeadsAttention of(MultiHeadAttention heads, INDArray logitsMix, INDArray weightsMix) {
        TalkingHeadsAttention m = fromLayers(heads.query(), heads.key(), heads.value(), logitsMix, weightsMix,
            heads.outProj(), heads.numHeads(), heads.contextLength(), heads.dropout());
        return heads.isCausal() ? m : m.bidirectional();
    }

    /**
     * From layers (used as they are) and mixing matrices (copied): q, k, v {@code dIn → dOut}, outProj
     * {@code dOut → dOut}, both mixes {@code [numHeads, numHeads]} of the projections' data type.
     */
    public static TalkingHeadsAttention fromLayers(Linear query, Linear key, Linear value, INDArray logitsMix,
                                                   INDArray weightsMix, Linear outProj, int numHeads,
                                                   long contextLength, Dropout dropout) {
        requireLayers(query, key, value, outProj, numHeads, contextLength);
        return new TalkingHeadsAttention(query, key, value, mix(logitsMix, "logitsMix", numHeads, query),
            mix(weightsMix, "weightsMix", numHeads, query), outProj, numHeads, contextLength, dropout, true);
    }

    private static INDArray mix(INDArray m, String name, int heads, Linear like) {
        if (m == null) {
            throw new IllegalArgumentException(name + " is null: pass Nd4j.eye(heads) for independent heads");
        }
        Shapes.requireShape(m, name, "[heads, heads]", heads, heads);
        Shapes.requireFinite(m, name);
        Shapes.requireSameType(m, name, like.weight());
        return m.dup('c');
    }

    /** The same module without the causal mask; it <b>shares</b> every array and the dropout with this one. */
    public TalkingHeadsAttention bidirectional() {
        return new TalkingHeadsAttention(query, key, value, logitsMix, weightsMix, outProj, numHeads(), contextLength(),
            dropout, false);
    }

    /**
     * Self-attention, causal unless this is the {@link #bidirectional()} form, with an extra mask combined by
     * {@code and}.
     *
     * @param x     {@code [batch, tokens, dIn]} or {@code [tokens, dIn]}, {@code tokens <= contextLength}
     * @param extra {@code [(batch,) tokens, tokens]}, true = attend, or null
     * @return context {@code [(batch,) tokens, dOut]} and the mixed weights {@code [(batch,) numHeads, tokens, tokens]}
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask extra) {
        Mask mask = ModuleChecks.selfAttentionMask(x, dIn(), contextLength(), isCausal(), extra);  // causal ∧ extra
        boolean unbatched = x.rank() == 2;
        INDArray xb = Heads.batched(x);
        int h = numHeads();
        INDArray q = Heads.split(query.forward(xb), h);                                   // [b, h, t, hd]
        INDArray k = Heads.split(key.forward(xb), h);                                     // [b, h, t, hd]
        INDArray v = Heads.split(value.forward(xb), h);                                   // [b, h, t, hd]
        INDArray scores = Nd4j.matmul(q, k, false, true, false).divi(Math.sqrt(q.size(-1)));  // [b, h, t, t]
        INDArray mixedLogits = mixHeads(scores, logitsMix);                               // [b, h, t, t]
        INDArray probabilities = mask == null ? Softmax.lastAxis(mixedLogits) : mask.softmax(mixedLogits);
        INDArray weights = dropout.forward(mixHeads(probabilities, weightsMix));          // [b, h, t, t]
        INDArray context = outProj.forward(Heads.merge(Nd4j.matmul(weights, v)));         // [b, t, dOut]
        AttentionOutput out = new AttentionOutput(context, weights);
        return unbatched ? Heads.unbatched(out) : out;
    }

    /**
     * {@code out[b, j] = Σ_i a[b, i] · mix[i, j]}: every head's map replaced by a weighted sum of all heads' maps.
     *
     * @param a   {@code [batch, heads, queries, keys]}
     * @param mix {@code [heads, heads]}
     * @return {@code [batch, heads, queries, keys]}, a new array
     */
    public static INDArray mixHeads(INDArray a, INDArray mix) {
        Shapes.requireRank(a, "maps", "[batch, heads, queries, keys]", 4);
        Shapes.requireShape(mix, "mix", "[heads, heads]", a.size(1), a.size(1));
        long b = a.size(0), h = a.size(1), q = a.size(2), k = a.size(3);
        INDArray rows = a.permute(0, 2, 3, 1).dup('c').reshape('c', b * q * k, h);        // [b·q·k, h]
        INDArray mixed = rows.mmul(mix);                                                 // [b·q·k, h]
        return mixed.reshape('c', b, q, k, h).permute(0, 3, 1, 2).dup('c');              // [b, h, q, k]
    }

    /** {@code pre_softmax_proj} {@code [heads, heads]}: entry {@code [i, j]} mixes head i's logits into head j (live). */
    public INDArray logitsMix() {
        return logitsMix;
    }

    /** {@code post_softmax_proj} {@code [heads, heads]}: entry {@code [i, j]} mixes head i's weights into head j (live). */
    public INDArray weightsMix() {
        return weightsMix;
    }

    /**
     * {@code W_query.weight}, ({@code W_query.bias}), ..., {@code pre_softmax_proj}, {@code post_softmax_proj},
     * {@code out_proj.weight}, {@code out_proj.bias}; live. Multi-head attention's count plus {@code 2·heads²}.
     */
    @Override
    public Map<String, INDArray> parameters() {
        return qkvParameters().add("pre_softmax_proj", logitsMix).add("post_softmax_proj", weightsMix)
            .add("out_proj", outProj).build();
    }
}
