package dev.attentionkit.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Masks: causal, padding, local, custom, and their composition")
class MaskTest {

    @ParameterizedTest(name = "{0} tokens")
    @CsvSource({"1", "4", "9"})
    @DisplayName("a causal mask lets query i see exactly keys 0..i")
    void causalPattern(int tokens) {
        boolean[][] keep = Values.bools(CausalMask.of(tokens).keep().reshape(1, tokens, tokens))[0];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                assertEquals(j <= i, keep[i][j], "query " + i + ", key " + j);
            }
        }
    }

    @Test
    @DisplayName("the book's buffer triu(ones, diagonal=1) is the complement of the causal mask")
    void bookBufferIsComplement() {
        INDArray buffer = CausalMask.bookBuffer(5);
        assertEquals(CausalMask.of(5), Mask.of(buffer).not());
        assertEquals(Mask.of(buffer), Mask.of(CausalMask.of(5).blocked()));
        assertEquals(10.0, buffer.sumNumber().doubleValue(), 0.0, "5·4/2 future positions");
    }

    @ParameterizedTest(name = "tokens {0}, width {1}")
    @CsvSource({"6, 1", "6, 2", "6, 3", "5, 7"})
    @DisplayName("local windows: |i-j| < w both ways, i-w < j <= i looking back (w = 1: the query alone)")
    void localWindows(int tokens, int width) {
        boolean[][] both = Values.bools(LocalMask.window(tokens, width).keep().reshape(1, tokens, tokens))[0];
        boolean[][] back = Values.bools(LocalMask.causalWindow(tokens, width).keep().reshape(1, tokens, tokens))[0];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                assertEquals(Math.abs(i - j) < width, both[i][j], "window " + i + "," + j);
                assertEquals(j <= i && j > i - width, back[i][j], "causal window " + i + "," + j);
            }
        }
    }

    @Test
    @DisplayName("a window of 0 is refused: the smallest window is the query alone")
    void zeroWindowRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalMask.window(4, 0));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
    }

    @Test
    @DisplayName("the causal window is the local window and the causal mask")
    void causalWindowIsAnd() {
        assertEquals(LocalMask.causalWindow(7, 2), LocalMask.window(7, 2).and(CausalMask.of(7)));
    }

    @Test
    @DisplayName("valid lengths per batch element hide the padded keys of every query")
    void validLengthsPerSequence() {
        Mask mask = PaddingMask.validLengths(3, 4, 2, 4, 0);
        assertArrayEquals(new long[] {3, 3, 4}, mask.shape());
        boolean[][][] keep = Values.bools(mask.keep());
        int[] valid = {2, 4, 0};
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(j < valid[b], keep[b][i][j], "batch " + b + " query " + i + " key " + j);
                }
            }
        }
    }

    @Test
    @DisplayName("valid lengths per query (d2l's 2-D valid_lens)")
    void validLengthsPerQuery() {
        int[][] valid = {{1, 3}, {2, 4}};
        boolean[][][] keep = Values.bools(PaddingMask.validLengths(4, valid).keep());
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(j < valid[b][i], keep[b][i][j]);
                }
            }
        }
    }

    @Test
    @DisplayName("a key mask [batch, keys] becomes the same padding for every query")
    void fromKeyMask() {
        INDArray keyMask = Nd4j.createFromArray(new float[][] {{1, 1, 0}, {1, 1, 1}});
        assertEquals(PaddingMask.validLengths(2, 3, 2, 3), PaddingMask.fromKeyMask(keyMask, 2));
    }

    @Test
    @DisplayName("and / or / not follow boolean logic, and a [q, k] mask combines with a [b, q, k] one")
    void composition() {
        Mask causal = CausalMask.of(4);
        Mask padding = PaddingMask.validLengths(4, 4, 3, 1);
        boolean[][][] and = Values.bools(causal.and(padding).keep());
        boolean[][][] or = Values.bools(causal.or(padding).keep());
        boolean[][][] pad = Values.bools(padding.keep());
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    boolean c = j <= i;
                    assertEquals(c && pad[b][i][j], and[b][i][j]);
                    assertEquals(c || pad[b][i][j], or[b][i][j]);
                }
            }
        }
        assertEquals(causal, causal.not().not());
        assertEquals(Mask.none(4, 4), causal.or(causal.not()));
        assertTrue(causal.and(padding).isBatched());
        assertFalse(causal.isBatched());
    }

    @Test
    @DisplayName("a custom mask from booleans or numbers: non-zero means attend")
    void customMasks() {
        Mask fromBooleans = Mask.of(new boolean[][] {{true, false}, {false, true}});
        Mask fromNumbers = Mask.of(Nd4j.createFromArray(new float[][] {{3, 0}, {0, -1}}));
        assertEquals(fromBooleans, fromNumbers);
        assertEquals("Mask[2, 2]\n1.\n.1", fromBooleans.toString());
    }

    @Test
    @DisplayName("fill is masked_fill: masked scores become -inf or -1e9, kept ones are unchanged")
    void fill() {
        INDArray scores = Nd4j.createFromArray(new float[][] {{1.5f, 2f}, {-3f, 4f}});
        Mask causal = CausalMask.of(2);
        double[][] inf = Values.of2(causal.fill(scores, Double.NEGATIVE_INFINITY));
        assertArrayEquals(new double[] {1.5, Double.NEGATIVE_INFINITY}, inf[0]);
        assertArrayEquals(new double[] {-3, 4}, inf[1]);
        double[][] big = Values.of2(causal.fill(scores, -1e9));
        assertArrayEquals(new double[] {1.5, -1e9}, big[0], 1e-3 * 1e9 * 1e-6);
        assertArrayEquals(new double[] {-3, 4}, big[1]);
    }

    @Test
    @DisplayName("masks of different sizes are rejected naming both shapes")
    void mismatchedComposition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CausalMask.of(4).and(CausalMask.of(5)));
        assertTrue(e.getMessage().contains("[4, 4]") && e.getMessage().contains("[5, 5]"), e.getMessage());
    }

    @Test
    @DisplayName("a mask that does not fit the scores is rejected naming both shapes")
    void mismatchedScores() {
        INDArray scores = Nd4j.zeros(DataType.FLOAT, 2, 6, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CausalMask.of(5).softmax(scores));
        assertTrue(e.getMessage().contains("[5, 5]") && e.getMessage().contains("[2, 6, 6]"), e.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
            () -> PaddingMask.validLengths(6, 6, 1, 2, 3).softmax(scores));
        assertTrue(batch.getMessage().contains("[3, 6, 6]") && batch.getMessage().contains("[2, 6, 6]"),
            batch.getMessage());
    }

    @Test
    @DisplayName("valid lengths outside 0..keys are rejected")
    void badValidLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PaddingMask.validLengths(2, 3, 4));
        assertTrue(e.getMessage().contains("0..3"), e.getMessage());
    }
}
