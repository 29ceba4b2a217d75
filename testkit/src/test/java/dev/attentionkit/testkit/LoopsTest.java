package dev.attentionkit.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("The plain-loop references reproduce the book and hand-worked cases")
class LoopsTest {

    @Test
    @DisplayName("3.3.1 and 3.3.2: the loops turn the book's inputs into the book's printed scores, weights and contexts")
    void bookChapter33() {
        double[][] x = Book.inputs();
        double[][] scores = Loops.matmul(x, Loops.transpose(x));
        assertArrayEquals(Book.journeyScores(), scores[1], Book.PRINTED);
        assertArrayEquals(Book.journeyWeights(), Loops.softmax(scores[1]), Book.PRINTED);
        double[][] context = Loops.matmul(Loops.softmaxRows(scores), x);
        assertArrayEquals(Book.journeyContext(), context[1], Book.PRINTED);
        Check.assertClose(Book.contextVectors(), context, Book.PRINTED, "all context vectors");
    }

    @Test
    @DisplayName("softmax by hand: scores 0 and ln 3 give weights 1/4 and 3/4; masked entries get 0; no key gives zeros")
    void softmaxByHand() {
        assertArrayEquals(new double[] {0.25, 0.75}, Loops.softmax(new double[] {0, Math.log(3)}), 1e-15);
        assertArrayEquals(new double[] {0.25, 0, 0.75}, Loops.maskedSoftmax(new double[] {0, 99, Math.log(3)}, new boolean[] {true, false, true}), 1e-15);
        assertArrayEquals(new double[] {0, 0}, Loops.maskedSoftmax(new double[] {1, 2}, new boolean[] {false, false}), 0);
        // Large scores stay finite: the maximum is subtracted first.
        assertArrayEquals(new double[] {0.25, 0.75}, Loops.softmax(new double[] {1000, 1000 + Math.log(3)}), 1e-12);
    }

    @Test
    @DisplayName("attention by hand: two keys, equal scores, the context is the mean of the values; causal row 0 sees key 0 only")
    void attentionByHand() {
        double[][] q = {{1, 0}, {1, 0}};
        double[][] k = {{0, 1}, {0, 2}};   // every score is 0
        double[][] v = {{2, 4}, {6, 8}};
        Loops.Attended all = Loops.attend(q, k, v, Loops.Keep.ALL, 1);
        assertArrayEquals(new double[] {4, 6}, all.context()[0], 1e-15);
        assertArrayEquals(new double[] {0.5, 0.5}, all.weights()[1], 1e-15);
        double[][] causal = Loops.attention(q, k, v, Loops.Keep.CAUSAL);
        assertArrayEquals(new double[] {2, 4}, causal[0], 1e-15);
        assertArrayEquals(new double[] {4, 6}, causal[1], 1e-15);
        assertArrayEquals(new double[][] {{1, 0}, {0.5, 0.5}}, Loops.causalSoftmaxRows(new double[][] {{0, 5}, {0, 0}}));
        assertArrayEquals(new double[][] {{0, 0}}, Loops.validLengthSoftmaxRows(new double[][] {{3, 4}}, 0));
    }

    @Test
    @DisplayName("scaled scores divide by sqrt(dK); linear uses PyTorch's [out][in] layout")
    void scoresAndLinear() {
        double[][] x = {{1, 2}};
        double[][] id = {{1, 0}, {0, 1}};
        double[][] w4 = {{1, 0, 0, 0}, {0, 1, 0, 0}};
        // q = k = [1, 2, 0, 0]: q·k = 5, divided by sqrt(4).
        assertEquals(2.5, Loops.scaledScores(x, w4, w4)[0][0], 1e-15);
        assertArrayEquals(new double[] {1 * 1 + 2 * 3 + 10, 1 * 2 + 2 * 4 + 20},
            Loops.linear(new double[] {1, 2}, new double[][] {{1, 3}, {2, 4}}, new double[] {10, 20}), 1e-15);
        assertArrayEquals(x[0], Loops.linear(x, id, null)[0], 0);
        assertArrayEquals(new double[][] {{2, 3}}, Loops.columns(new double[][] {{1, 2, 3, 4}}, 1, 3));
        assertArrayEquals(new double[] {1, 2, 3, 4}, Loops.flatten(new double[][][] {{{1, 2}}, {{3, 4}}}), 0);
    }

    @Test
    @DisplayName("seeded inputs: the same seed the same float32 values in [-1, 1), another seed others")
    void seeded() {
        INDArray a = Seeded.array(7, 2, 3, 4);
        assertArrayEquals(new long[] {2, 3, 4}, a.shape());
        assertEquals(DataType.FLOAT, a.dataType());
        assertArrayEquals(Values.flat(a), Values.flat(Seeded.array(7, 2, 3, 4)), 0);
        assertArrayEquals(Values.flat(Seeded.matrix(7, 6, 4)), Values.flat(a), 0, "matrix and array draw the same stream");
        assertNotEquals(Values.flat(a)[0], Values.flat(Seeded.array(8, 2, 3, 4))[0]);
        for (double v : Values.flat(a)) {
            if (v < -1 || v >= 1) {
                throw new AssertionError(v + " is outside [-1, 1)");
            }
        }
    }
}
