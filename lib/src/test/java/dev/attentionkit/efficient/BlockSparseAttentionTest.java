package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Block-sparse attention")
class BlockSparseAttentionTest {

    @ParameterizedTest(name = "{0} tokens, blocks of {1}, {2} neighbours, {3} global, causal {4}")
    @CsvSource({"64, 8, 1, 1, false", "64, 8, 1, 1, true", "50, 7, 0, 1, true", "50, 7, 2, 0, false", "33, 33, 0, 0, true"})
    @DisplayName("equals full attention masked to the pattern, the mask computed in plain loops")
    void equalsMaskedFull(int tokens, int block, int neighbours, int global, boolean causal) {
        BlockSparsePattern pattern = BlockSparsePattern.localAndGlobal(tokens, block, neighbours, global, causal);
        INDArray q = Seeded.array(21, 2, tokens, 8), k = Seeded.array(22, 2, tokens, 8), v = Seeded.array(23, 2, tokens, 5);
        INDArray out = BlockSparseAttention.apply(q, k, v, pattern);
        for (int b = 0; b < 2; b++) {
            double[][] expected = Loops.attention(Values.sequence(q, b), Values.sequence(k, b),
                Values.sequence(v, b), (i, j) -> {
                    int qb = i / block, kb = j / block;
                    boolean tile = Math.abs(qb - kb) <= neighbours || kb < global;
                    return tile && (!causal || j <= i);
                });
            Check.assertClose(expected, out.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @Test
    @DisplayName("a hand-made pattern (strided: every other block) matches its own mask")
    void handMade() {
        boolean[][] blocks = new boolean[4][4];
        for (int qb = 0; qb < 4; qb++) {
            for (int kb = 0; kb < 4; kb++) {
                blocks[qb][kb] = (qb + kb) % 2 == 0;
            }
        }
        BlockSparsePattern pattern = new BlockSparsePattern(20, 5, blocks, false);
        assertEquals(0.5, pattern.density(), 1e-12);
        INDArray q = Seeded.array(1, 20, 4), k = Seeded.array(2, 20, 4), v = Seeded.array(3, 20, 4);
        Check.assertClose(
            Loops.attention(q.toDoubleMatrix(), k.toDoubleMatrix(), v.toDoubleMatrix(), (i, j) -> (i / 5 + j / 5) % 2 == 0),
            BlockSparseAttention.apply(q, k, v, pattern).toDoubleMatrix(), 1e-5, "strided");
    }

    @Test
    @DisplayName("patterns that leave a query with no key, or do not fit the inputs, are rejected")
    void rejects() {
        boolean[][] upper = {{false, true}, {false, true}};
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new BlockSparsePattern(8, 4, upper, true));
        assertTrue(empty.getMessage().contains("query block 0"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BlockSparsePattern(8, 4, new boolean[3][3], false));
        INDArray x = Seeded.array(1, 12, 4);
        assertThrows(IllegalArgumentException.class,
            () -> BlockSparseAttention.apply(x, x, x, BlockSparsePattern.localAndGlobal(16, 4, 1, 0, true)));
    }
}
