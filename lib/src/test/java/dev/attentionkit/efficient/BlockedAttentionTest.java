package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.ScaledDotProductAttention;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Blocked (FlashAttention-style) attention")
class BlockedAttentionTest {
    static final int TOKENS = 37;

    static Stream<Arguments> blocks() {
        return Stream.of(5, 16, 37, 64).flatMap(b -> Stream.of(Arguments.of(b, false), Arguments.of(b, true)));
    }

    @ParameterizedTest(name = "block {0}, causal {1}")
    @MethodSource("blocks")
    @DisplayName("equals full attention (plain loops) within 1e-5, for blocks that divide 37 tokens and blocks that don't")
    void equalsFull(int block, boolean causal) {
        INDArray q = Seeded.array(1, 2, TOKENS, 8), k = Seeded.array(2, 2, TOKENS, 8), v = Seeded.array(3, 2, TOKENS, 5);
        INDArray out = BlockedAttention.apply(q, k, v, block, causal);
        assertArrayEquals(new long[] {2, TOKENS, 5}, out.shape());
        for (int b = 0; b < 2; b++) {
            double[][] expected = Loops.attention(Values.sequence(q, b), Values.sequence(k, b),
                Values.sequence(v, b), (i, j) -> !causal || j <= i);
            Check.assertClose(expected, out.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @ParameterizedTest(name = "tiles {0} x {1}, causal {2}")
    @CsvSource({"4, 16, true", "16, 4, true", "5, 12, true", "12, 5, false", "37, 3, true", "2, 64, false"})
    @DisplayName("queries and keys in tiles of different sizes give the same result")
    void rectangularTiles(int queryBlock, int keyBlock, boolean causal) {
        INDArray q = Seeded.array(1, 2, TOKENS, 8), k = Seeded.array(2, 2, TOKENS, 8), v = Seeded.array(3, 2, TOKENS, 5);
        INDArray out = BlockedAttention.apply(q, k, v, queryBlock, keyBlock, causal);
        for (int b = 0; b < 2; b++) {
            double[][] expected = Loops.attention(Values.sequence(q, b), Values.sequence(k, b),
                Values.sequence(v, b), (i, j) -> !causal || j <= i);
            Check.assertClose(expected, out.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @Test
    @DisplayName("non-causal blocked equals the kit's plain ScaledDotProductAttention, also for 9 queries over 23 keys")
    void equalsPlainForm() {
        INDArray q = Seeded.array(4, 3, 9, 16).muli(4), k = Seeded.array(5, 3, 23, 16).muli(4), v = Seeded.array(6, 3, 23, 7);
        INDArray plain = ScaledDotProductAttention.apply(q, k, v).context();
        INDArray blocked = BlockedAttention.apply(q, k, v, 6, false);
        assertTrue(plain.equalsWithEps(blocked, 1e-5), "max difference " + plain.sub(blocked).amaxNumber());
    }

    @Test
    @DisplayName("[batch, heads, tokens, headDim] and [tokens, d] inputs keep their layout")
    void layouts() {
        INDArray q = Seeded.array(7, 2, 3, 20, 4), k = Seeded.array(8, 2, 3, 20, 4), v = Seeded.array(9, 2, 3, 20, 4);
        INDArray out = BlockedAttention.apply(q, k, v, 7, true);
        assertArrayEquals(new long[] {2, 3, 20, 4}, out.shape());
        INDArray head = BlockedAttention.apply(q.slice(1).slice(2), k.slice(1).slice(2), v.slice(1).slice(2), 7, true);
        assertArrayEquals(new long[] {20, 4}, head.shape());
        assertTrue(head.equalsWithEps(out.slice(1).slice(2), 1e-6));
    }

    @Test
    @DisplayName("bad inputs are rejected: ranks, widths, causal cross-attention, NaN, block size")
    void rejects() {
        INDArray q = Seeded.array(1, 2, 6, 4);
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
            () -> BlockedAttention.apply(q, Seeded.array(2, 2, 6, 3), Seeded.array(3, 2, 6, 3), true));
        assertTrue(width.getMessage().contains("[2, 6, 4]") && width.getMessage().contains("[2, 6, 3]"), width.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> BlockedAttention.apply(q, Seeded.array(2, 2, 7, 4), Seeded.array(3, 2, 7, 4), true));
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
            () -> BlockedAttention.apply(Seeded.array(1, 6), Seeded.array(2, 6), Seeded.array(3, 6), false));
        assertTrue(rank.getMessage().contains("[6]"), rank.getMessage());
        INDArray nan = q.dup();
        nan.putScalar(3, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> BlockedAttention.apply(nan, q, q, false));
        assertThrows(IllegalArgumentException.class, () -> BlockedAttention.apply(q, q, q, 0, false));
    }
}
