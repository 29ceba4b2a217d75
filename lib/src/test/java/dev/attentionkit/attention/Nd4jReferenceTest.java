package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.score.ScoreFunction;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A second, independent implementation: ND4J's own attention ops. They are features-first
 * ({@code [batch, features, tokens]}), take only key-padding masks {@code [batch, keys]} (1 = keep), store
 * per-head projections as {@code [heads, headDim, dIn]} and the output projection as {@code [h·hd, dOut]}
 * applied without bias.
 */
@DisplayName("The library agrees with ND4J's built-in attention ops")
class Nd4jReferenceTest {
    private static final double TOL = 1e-5;

    /** [batch, tokens, d] ↔ [batch, d, tokens]. */
    private static INDArray featuresFirst(INDArray x) {
        return x.permute(0, 2, 1).dup('c');
    }

    @ParameterizedTest(name = "key mask = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("scaled dot-product attention = Nd4j.nn().dotProductAttention(q, k, v, mask, true)")
    void scaledDotProduct(boolean masked) {
        INDArray q = Seeded.array(1, 2, 4, 8);
        INDArray k = Seeded.array(2, 2, 6, 8);
        INDArray v = Seeded.array(3, 2, 6, 5);
        INDArray keyMask = masked ? Nd4j.createFromArray(new float[][] {{1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 0}}) : null;
        INDArray ours = ScaledDotProductAttention.apply(q, k, v,
            masked ? PaddingMask.fromKeyMask(keyMask, 4) : null).context();
        INDArray theirs = Nd4j.nn().dotProductAttention(featuresFirst(q), featuresFirst(k), featuresFirst(v),
            keyMask, true);                                               // [b, dV, q]
        assertArrayEquals(Values.flat(featuresFirst(theirs)), Values.flat(ours), TOL);
    }

    @Test
    @DisplayName("unscaled dot-product scores in an AttentionLayer = dotProductAttention(..., scaled = false)")
    void unscaled() {
        INDArray q = Seeded.array(4, 2, 3, 4);
        INDArray k = Seeded.array(5, 2, 5, 4);
        INDArray v = Seeded.array(6, 2, 5, 2);
        INDArray ours = AttentionLayer.builder().score(ScoreFunction.dotProduct()).build().attend(q, k, v).context();
        INDArray theirs = Nd4j.nn().dotProductAttention(featuresFirst(q), featuresFirst(k), featuresFirst(v), null,
            false);
        assertArrayEquals(Values.flat(featuresFirst(theirs)), Values.flat(ours), TOL);
    }

    @ParameterizedTest(name = "key mask = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("MultiHeadAttention cross-attention = Nd4j.nn().multiHeadDotProductAttention with copied weights")
    void multiHead(boolean masked) {
        int heads = 2;
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(6, 8, 16, 0.0, heads, false, 21);
        INDArray xq = Seeded.array(7, 2, 4, 6);
        INDArray xkv = Seeded.array(8, 2, 5, 6);
        INDArray keyMask = masked ? Nd4j.createFromArray(new float[][] {{1, 1, 0, 0, 0}, {1, 1, 1, 1, 0}}) : null;
        INDArray ours = mha.crossAttend(xq, xkv, masked ? PaddingMask.fromKeyMask(keyMask, 4) : null).context();

        long hd = mha.headDim();
        INDArray wq = mha.query().weight().reshape('c', heads, hd, 6);   // head i = rows i·hd .. (i+1)·hd-1
        INDArray wk = mha.key().weight().reshape('c', heads, hd, 6);
        INDArray wv = mha.value().weight().reshape('c', heads, hd, 6);
        INDArray wo = mha.outProj().weight().transpose().dup('c');        // [h·hd, dOut]: y = concat · Wo
        INDArray theirs = Nd4j.nn().multiHeadDotProductAttention(featuresFirst(xq), featuresFirst(xkv),
            featuresFirst(xkv), wq, wk, wv, wo, keyMask, true);           // [b, dOut, q]
        INDArray withBias = featuresFirst(theirs).addi(mha.outProj().bias().orElseThrow().reshape(1, 1, mha.dOut()));
        assertArrayEquals(Values.flat(withBias), Values.flat(ours), TOL);
    }

    @Test
    @DisplayName("non-causal self-attention attend(x, x) = multiHeadDotProductAttention(x, x, x, ...)")
    void multiHeadSelf() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 6, 8, 0.0, 3, false, 5);
        INDArray x = Seeded.array(9, 3, 8, 4);
        long hd = mha.headDim();
        INDArray theirs = Nd4j.nn().multiHeadDotProductAttention(featuresFirst(x), featuresFirst(x), featuresFirst(x),
            mha.query().weight().reshape('c', 3, hd, 4), mha.key().weight().reshape('c', 3, hd, 4),
            mha.value().weight().reshape('c', 3, hd, 4), mha.outProj().weight().transpose().dup('c'), null, true);
        INDArray expected = featuresFirst(theirs).addi(mha.outProj().bias().orElseThrow().reshape(1, 1, mha.dOut()));
        assertArrayEquals(Values.flat(expected), Values.flat(mha.bidirectional().attend(x).context()), TOL);
    }
}
