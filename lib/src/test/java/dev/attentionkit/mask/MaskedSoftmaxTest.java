package dev.attentionkit.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.attentionkit.tensor.Softmax;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Masked softmax")
class MaskedSoftmaxTest {
    private static final double TOL = 1e-6;

    @Test
    @DisplayName("d2l's example: valid lengths 2 and 3 over 4 keys give zero weight to the padding")
    void validLengths() {
        INDArray scores = Seeded.array(1, 2, 2, 4);
        Mask mask = PaddingMask.validLengths(2, 4, 2, 3);
        INDArray weights = mask.softmax(scores);
        double[][][] s = Values.of3(scores);
        boolean[][][] keep = Values.bools(mask.keep());
        double[][][] expected = new double[2][2][];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 2; i++) {
                expected[b][i] = Loops.maskedSoftmax(s[b][i], keep[b][i]);
            }
        }
        Check.assertClose(expected, weights, TOL, "weights");
        double[][][] w = Values.of3(weights);
        assertEquals(0.0, w[0][1][2], 0.0, "padded key gets exactly 0");
        assertEquals(1.0, w[1][0][0] + w[1][0][1] + w[1][0][2], TOL);
    }

    @ParameterizedTest
    @EnumSource(MaskFill.class)
    @DisplayName("a row with every key masked gives zero weights, not NaN")
    void fullyMaskedRow(MaskFill fill) {
        INDArray scores = Seeded.array(2, 2, 3, 4);
        Mask mask = PaddingMask.validLengths(3, 4, 0, 2);
        INDArray weights = mask.softmax(scores, fill);
        assertFalse(weights.isNaN().any(), "no NaN");
        double[][][] w = Values.of3(weights);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new double[4], w[0][i], 0.0, "fully masked row " + i);
            assertEquals(1.0, w[1][i][0] + w[1][i][1], TOL);
        }
    }

    @Test
    @DisplayName("both causal conventions (-inf as the book, -1e9 as the Annotated Transformer) give the same weights")
    void bothConventions() {
        INDArray scores = Seeded.array(3, 2, 6, 6).muli(5);
        Mask causal = CausalMask.of(6);
        INDArray book = causal.softmax(scores, MaskFill.NEGATIVE_INFINITY);
        INDArray annotated = causal.softmax(scores, MaskFill.MINUS_1E9);
        // The Annotated Transformer's literal recipe: masked_fill(mask == 0, -1e9), then a plain softmax.
        INDArray literal = Softmax.lastAxis(causal.fill(scores, -1e9));
        assertArrayEquals(Values.flat(book), Values.flat(annotated), 0.0);
        assertArrayEquals(Values.flat(book), Values.flat(literal), 1e-7);
        double[][][] s = Values.of3(scores);
        double[][][] expected = new double[2][6][];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 6; i++) {
                boolean[] keep = new boolean[6];
                for (int j = 0; j <= i; j++) {
                    keep[j] = true;
                }
                expected[b][i] = Loops.maskedSoftmax(s[b][i], keep);
            }
        }
        Check.assertClose(expected, book, TOL, "causal weights");
    }

    @Test
    @DisplayName("the book's step: masked_fill(-inf) then renormalising equals masking after softmax and dividing by row sums")
    void renormalisation() {
        INDArray scores = Seeded.array(4, 5, 5);
        Mask causal = CausalMask.of(5);
        INDArray viaInf = causal.softmax(scores);
        // Book 3.5.1, first way: softmax over all keys, zero the future, divide by each row's sum.
        INDArray simple = Softmax.lastAxis(scores).muli(causal.asFloat());
        INDArray renormalised = simple.diviColumnVector(simple.sum(1));
        assertArrayEquals(Values.flat(renormalised), Values.flat(viaInf), 1e-6);
    }

    @Test
    @DisplayName("a [batch, q, k] mask broadcasts over the heads of [batch, heads, q, k] scores")
    void broadcastsOverHeads() {
        INDArray scores = Seeded.array(5, 2, 3, 4, 4);
        Mask mask = PaddingMask.validLengths(4, 4, 2, 3).and(CausalMask.of(4));
        INDArray weights = mask.softmax(scores);
        assertArrayEquals(new long[] {2, 3, 4, 4}, weights.shape());
        for (int b = 0; b < 2; b++) {
            boolean[][] keep = Values.bools(mask.keep())[b];
            for (int h = 0; h < 3; h++) {
                double[][] s = Values.of2(scores.slice(b).slice(h));
                double[][] expected = new double[4][];
                for (int i = 0; i < 4; i++) {
                    expected[i] = Loops.maskedSoftmax(s[i], keep[i]);
                }
                Check.assertClose(expected, weights.slice(b).slice(h), TOL, "batch " + b + " head " + h);
            }
        }
    }
}
