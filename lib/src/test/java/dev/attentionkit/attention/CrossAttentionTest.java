package dev.attentionkit.attention;

import static dev.attentionkit.attention.CausalAttentionTest.project;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
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
        AttentionOutput out = mha.crossAttend(Seeded.array(1, 2, 3, 4), Seeded.array(2, 2, 7, 4), null);
        assertArrayEquals(new long[] {2, 3, 6}, out.context().shape());
        assertArrayEquals(new long[] {2, 3, 3, 7}, out.weights().shape());
        AttentionOutput unbatched = mha.crossAttend(Seeded.array(1, 3, 4), Seeded.array(2, 7, 4), null);
        assertArrayEquals(new long[] {3, 6}, unbatched.context().shape());
        assertArrayEquals(new long[] {3, 3, 7}, unbatched.weights().shape());
    }

    @Test
    @DisplayName("agrees with a naive loop, and padded encoder tokens get no weight")
    void againstNaiveWithPadding() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 4, 16, 0.0, 2, true, 2);
        INDArray xq = Seeded.array(3, 2, 3, 4);
        INDArray xkv = Seeded.array(4, 2, 5, 4);
        int[] valid = {2, 5};
        AttentionOutput out = mha.crossAttend(xq, xkv, PaddingMask.validLengths(3, 5, valid));
        for (int b = 0; b < 2; b++) {
            double[][] q = project(mha.query(), Values.of3(xq)[b]);
            double[][] k = project(mha.key(), Values.of3(xkv)[b]);
            double[][] v = project(mha.value(), Values.of3(xkv)[b]);
            boolean[][] keep = new boolean[3][5];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < valid[b]; j++) {
                    keep[i][j] = true;
                }
            }
            double[][] concat = Loops.multiHead(q, k, v, 2, Loops.Keep.of(keep)).context();
            Check.assertClose(project(mha.outProj(), concat), out.context().slice(b), TOL, "context " + b);
        }
        assertEquals(0.0, out.weights().slice(0).getDouble(1, 2, 3), 0.0, "padded key");
    }

    @Test
    @DisplayName("causal self-attention is cross-attention of a sequence with itself under a causal mask")
    void selfIsCrossWithCausalMask() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 4, 8, 0.0, 2, false, 3);
        INDArray x = Seeded.array(5, 2, 8, 4);
        assertArrayEquals(Values.flat(mha.forward(x)), Values.flat(mha.crossAttend(x, x, CausalMask.of(8)).context()), 0.0);
    }

    @Test
    @DisplayName("an AttentionLayer attends across sequences of different feature sizes")
    void layerCross() {
        AttentionLayer layer = AttentionLayer.builder()
            .score(dev.attentionkit.score.AdditiveScore.fromSeed(3, 5, 4, 0)).build();
        AttentionOutput out = layer.attend(Seeded.array(1, 2, 4, 3), Seeded.array(2, 2, 6, 5), Seeded.array(3, 2, 6, 8));
        assertArrayEquals(new long[] {2, 4, 8}, out.context().shape());
        assertArrayEquals(new long[] {2, 4, 6}, out.weights().shape());
    }
}
