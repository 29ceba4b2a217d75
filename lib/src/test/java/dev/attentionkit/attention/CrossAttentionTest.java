package dev.attentionkit.attention;

import static dev.attentionkit.attention.CausalAttentionTest.project;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.Naive;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.PaddingMask;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Queries from one sequence (a decoder), keys and values from another (an encoder's output). */
@DisplayName("Cross-attention")
class CrossAttentionTest {
    private static final double TOL = 1e-5;

    @Test
    @DisplayName("3 decoder tokens attend to 7 encoder tokens: context [2, 3, dOut], weights [2, heads, 3, 7]")
    void shapes() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 6, 16, 0.0, 3, false, 1);
        AttentionOutput out = mha.crossAttend(Naive.random(1, 2, 3, 4), Naive.random(2, 2, 7, 4), null);
        assertArrayEquals(new long[] {2, 3, 6}, out.context().shape());
        assertArrayEquals(new long[] {2, 3, 3, 7}, out.weights().shape());
        AttentionOutput unbatched = mha.crossAttend(Naive.random(1, 3, 4), Naive.random(2, 7, 4), null);
        assertArrayEquals(new long[] {3, 6}, unbatched.context().shape());
        assertArrayEquals(new long[] {3, 3, 7}, unbatched.weights().shape());
    }

    @Test
    @DisplayName("agrees with a naive loop, and padded encoder tokens get no weight")
    void againstNaiveWithPadding() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 4, 16, 0.0, 2, true, 2);
        INDArray xq = Naive.random(3, 2, 3, 4);
        INDArray xkv = Naive.random(4, 2, 5, 4);
        int[] valid = {2, 5};
        AttentionOutput out = mha.crossAttend(xq, xkv, PaddingMask.validLengths(3, 5, valid));
        for (int b = 0; b < 2; b++) {
            double[][] q = project(mha.query(), Naive.of3(xq)[b]);
            double[][] k = project(mha.key(), Naive.of3(xkv)[b]);
            double[][] v = project(mha.value(), Naive.of3(xkv)[b]);
            boolean[][] keep = new boolean[3][5];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < valid[b]; j++) {
                    keep[i][j] = true;
                }
            }
            double[][] concat = new double[3][4];
            for (int h = 0; h < 2; h++) {
                double[][][] r = Naive.attention(Naive.columns(q, 2 * h, 2 * h + 2), Naive.columns(k, 2 * h, 2 * h + 2),
                    Naive.columns(v, 2 * h, 2 * h + 2), keep, 1 / Math.sqrt(2));
                for (int t = 0; t < 3; t++) {
                    System.arraycopy(r[0][t], 0, concat[t], 2 * h, 2);
                }
            }
            Naive.assertClose(project(mha.outProj(), concat), out.context().slice(b), TOL, "context " + b);
        }
        assertEquals(0.0, out.weights().slice(0).getDouble(1, 2, 3), 0.0, "padded key");
    }

    @Test
    @DisplayName("causal self-attention is cross-attention of a sequence with itself under a causal mask")
    void selfIsCrossWithCausalMask() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 4, 8, 0.0, 2, false, 3);
        INDArray x = Naive.random(5, 2, 8, 4);
        assertArrayEquals(Naive.flat(mha.forward(x)), Naive.flat(mha.crossAttend(x, x, CausalMask.of(8)).context()), 0.0);
    }

    @Test
    @DisplayName("an AttentionLayer attends across sequences of different feature sizes")
    void layerCross() {
        AttentionLayer layer = AttentionLayer.builder()
            .score(dev.attentionkit.score.AdditiveScore.fromSeed(3, 5, 4, 0)).build();
        AttentionOutput out = layer.attend(Naive.random(1, 2, 4, 3), Naive.random(2, 2, 6, 5), Naive.random(3, 2, 6, 8));
        assertArrayEquals(new long[] {2, 4, 8}, out.context().shape());
        assertArrayEquals(new long[] {2, 4, 6}, out.weights().shape());
    }
}
