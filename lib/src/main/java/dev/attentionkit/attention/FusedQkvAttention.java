package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Causal multi-head self-attention with one fused projection for queries, keys and values, as nanoGPT's
 * {@code CausalSelfAttention}: {@code qkv = c_attn(x)} with {@code c_attn: dIn → 3·dOut}, split into three,
 * then exactly {@link MultiHeadAttention}'s heads and output projection. One matrix product instead of three.
 *
 * <pre>
 * qkv     = qkv(x)                    [B, T, 3·C]
 * q, k, v = qkv.split(C, dim=2)       [B, T, C] each
 * q       = q.view(B, T, nh, hs)      [B, T, nh, hs] → transpose → [B, nh, T, hs]
 * y       = attention(q, k, v)        [B, nh, T, hs] → [B, T, C]
 * y       = outProj(y)                [B, T, C]
 * </pre>
 */
public final class FusedQkvAttention extends AbstractAttentionModule<FusedQkvAttention> {
    private final Linear qkv;     // [3·dOut, dIn]: rows 0..dOut-1 query, then key, then value
    private final Linear outProj; // [dOut, dOut]

    private FusedQkvAttention(Linear qkv, Linear outProj, int numHeads, long contextLength, Dropout dropout) {
        super(dropout, new Sizes(qkv.inFeatures(), outProj.outFeatures(), numHeads, contextLength, true));   // causal
        this.qkv = qkv;
        this.outProj = outProj;
    }

    /**
     * After {@code torch.manual_seed(seed)}: {@code nn.Linear(dIn, 3·dOut, bias=qkvBias)} then
     * {@code nn.Linear(dOut, dOut)} (with bias) for the output projection.
     */
    public static FusedQkvAttention fromSeed(long dIn, long dOut, long contextLength, double dropout, int numHeads,
                                             boolean qkvBias, long seed) {
        ModuleChecks.requireHeads(dOut, numHeads);
        TorchRandom random = TorchRandom.manualSeed(seed);
        Linear qkv = Linear.init(dIn, 3 * dOut, qkvBias, random);
        Linear out = Linear.init(dOut, dOut, true, random);
        return fromLayers(qkv, out, numHeads, contextLength, Dropout.of(dropout, seed));
    }

    /** The same from named sizes ({@link AttentionConfig}), so no two numbers can be swapped. */
    public static FusedQkvAttention fromSeed(AttentionConfig config, long seed) {
        return fromSeed(config.dIn(), config.dOut(), config.contextLength(), config.dropout(), config.numHeads(),
            config.qkvBias(), seed);
    }

    /**
     * From explicit weights in PyTorch's layout, no qkv bias, no dropout (copied).
     *
     * @param wQkv {@code [3·dOut, dIn]}: query rows, then key rows, then value rows
     * @param wOut {@code [dOut, dOut]}
     * @param bOut {@code [dOut]}
     */
    public static FusedQkvAttention fromWeights(INDArray wQkv, INDArray wOut, INDArray bOut, int numHeads,
                                                long contextLength) {
        return fromLayers(Linear.fromWeights(wQkv, null), Linear.fromWeights(wOut, bOut), numHeads, contextLength,
            null);
    }

    /** From layers (used as they are): qkv {@code dIn → 3·dOut}, outProj {@code dOut → dOut}. */
    public static FusedQkvAttention fromLayers(Linear qkv, Linear outProj, int numHeads, long contextLength,
                                               Dropout dropout) {
        if (qkv.outFeatures() % 3 != 0 || outProj.inFeatures() != qkv.outFeatures() / 3
            || outProj.outFeatures() != qkv.outFeatures() / 3) {
            throw new IllegalArgumentException(String.format(
                "qkv weight must be [3·dOut, dIn] and outProj weight [dOut, dOut], got qkv %s and outProj %s",
                Shapes.describe(qkv.weight()), Shapes.describe(outProj.weight())));
        }
        ModuleChecks.requireHeads(outProj.outFeatures(), numHeads);
        ModuleChecks.requirePositive(contextLength, "contextLength");
        return new FusedQkvAttention(qkv, outProj, numHeads, contextLength, dropout);
    }

    /**
     * The fused module that computes exactly what {@code mha} computes: {@code qkv}'s weight is
     * {@code W_query}, {@code W_key}, {@code W_value} stacked by rows ({@code [3·dOut, dIn]}), biases likewise,
     * and {@code outProj} is copied. Dropout has the same {@code p} but its own masks.
     */
    public static FusedQkvAttention fromMultiHeadAttention(MultiHeadAttention mha) {
        INDArray w = Nd4j.concat(0, mha.query().weight(), mha.key().weight(), mha.value().weight()); // [3C, dIn]
        INDArray b = mha.query().bias().isPresent()
            ? Nd4j.concat(0, mha.query().bias().get(), mha.key().bias().get(), mha.value().bias().get())
            : null;
        Linear out = Linear.fromWeights(mha.outProj().weight(), mha.outProj().bias().orElse(null));
        return fromLayers(Linear.fromWeights(w, b), out, mha.numHeads(), mha.contextLength(),
            Dropout.of(mha.dropout().p(), 0));
    }

    /**
     * Causal self-attention.
     *
     * @param x     {@code [tokens, dIn]} or {@code [batch, tokens, dIn]}, {@code tokens <= contextLength}
     * @param extra {@code [(batch,) tokens, tokens]} combined with the causal mask by {@code and}, or null
     * @return context {@code [(batch,) tokens, dOut]}, weights {@code [(batch,) numHeads, tokens, tokens]}
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask extra) {
        Mask mask = ModuleChecks.selfAttentionMask(x, dIn(), contextLength(), true, extra);  // causal ∧ extra
        boolean unbatched = x.rank() == 2;
        INDArray xb = Heads.batched(x);
        long c = dOut();
        int nh = numHeads();
        INDArray fused = qkv.forward(xb);                                                   // [B, T, 3C]
        INDArray q = Heads.split(slice(fused, 0, c), nh);                                   // [B, nh, T, hs]
        INDArray k = Heads.split(slice(fused, c, 2 * c), nh);                               // [B, nh, T, hs]
        INDArray v = Heads.split(slice(fused, 2 * c, 3 * c), nh);                           // [B, nh, T, hs]
        AttentionOutput heads = ScaledDotProductAttention.apply(q, k, v, mask, dropout);
        INDArray y = outProj.forward(Heads.merge(heads.context()));                          // [B, T, C]
        AttentionOutput out = new AttentionOutput(y, heads.weights());
        return unbatched ? Heads.unbatched(out) : out;
    }

    private static INDArray slice(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
    }

    /** {@code c_attn}, weight {@code [3·dOut, dIn]}: query rows, then key rows, then value rows. */
    public Linear qkv() {
        return qkv;
    }

    /** {@code c_proj}, weight {@code [dOut, dOut]} and bias {@code [dOut]}. */
    public Linear outProj() {
        return outProj;
    }

    /** {@code qkv.weight} ({@code qkv.bias}), {@code out_proj.weight}, {@code out_proj.bias}; live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("qkv", qkv).add("out_proj", outProj).build();
    }

    @Override
    public String toString() {
        return "FusedQkvAttention(dIn=" + dIn() + ", dOut=" + dOut() + ", numHeads=" + numHeads()
            + ", contextLength=" + contextLength() + ", dropout=" + dropout.p() + ")";
    }
}
