package dev.attentionkit.exercises.ch09;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.efficient.OnlineSoftmax;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

@DisplayName("9.2 One step of the online softmax")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.efficient.OnlineSoftmax#update",
    "dev.attentionkit.efficient.BlockedAttention",
    "dev.attentionkit.efficient.EfficientAttention",
    "dev.attentionkit.efficient.BlockSparseAttention",
    "dev.attentionkit.efficient.FusedSoftmax",
    "dev.attentionkit.efficient.FastMultiHeadAttention",
    "dev.attentionkit.efficient.SlidingWindowAttention",
    "dev.attentionkit.efficient.LinearAttention",
    "dev.attentionkit.efficient.ScalarRows",
    "dev.attentionkit.efficient.VectorRows"})
class OnlineSoftmaxUpdateTest {

    @Test
    @Points(1)
    @Hint(value = "From the start state, what are m, l and acc after one block, row by row?",
        full = "After one block from the start state: m = the row maximum, l = Σ exp(s - m), acc = exp(S - m) · V.")
    @DisplayName("one block from the start: m, l and acc of a 3 x 4 block")
    void firstBlock() {
        INDArray scores = Seeded.matrix(1, 3, 4).mul(3);
        INDArray values = Seeded.matrix(2, 4, 2);
        OnlineSoftmax.State state = OnlineSoftmaxUpdate.update(OnlineSoftmax.State.start(3, 2), scores, values);
        assertNotNull(state, "update returned null");
        double[][] s = scores.toDoubleMatrix();
        double[][] v = values.toDoubleMatrix();
        double[][] m = new double[3][1];
        double[][] l = new double[3][1];
        double[][] acc = new double[3][2];
        for (int i = 0; i < 3; i++) {
            m[i][0] = Double.NEGATIVE_INFINITY;
            for (double x : s[i]) {
                m[i][0] = Math.max(m[i][0], x);
            }
            for (int j = 0; j < 4; j++) {
                double p = Math.exp(s[i][j] - m[i][0]);
                l[i][0] += p;
                for (int c = 0; c < 2; c++) {
                    acc[i][c] += p * v[j][c];
                }
            }
        }
        assertClose(m, state.m(), 1e-5, "m (the running maximum)");
        assertClose(l, state.l(), 1e-5, "l (the running sum of exp(s - m))");
        assertClose(acc, state.acc(), 1e-5, "acc (the running weighted sum of values)");
    }

    @Test
    @Points(2)
    @Hint(value = "What happens to the old l and acc when a later block raises the running maximum?",
        full = "When a later block raises the maximum, multiply the old l and acc by exp(m - m') before adding the new block.")
    @DisplayName("blocks of 3, 2 and 4 keys give softmax(S) · V of all 9 keys")
    void blocksGiveTheFullSoftmax() {
        INDArray scores = Seeded.matrix(3, 4, 9).mul(4);
        INDArray values = Seeded.matrix(4, 9, 3);
        // Rows 0 and 1 find their maximum in the last block (scores raised by 9 there), so l and acc must be
        // rescaled; rows 2 and 3 stay random.
        for (int j = 5; j < 9; j++) {
            scores.putScalar(0, j, scores.getDouble(0, j) + 9);
            scores.putScalar(1, j, scores.getDouble(1, j) + 9);
        }
        // Row 2 finds its maximum in the first block, so m must keep it when later blocks are lower.
        for (int j = 0; j < 3; j++) {
            scores.putScalar(2, j, scores.getDouble(2, j) + 9);
        }
        OnlineSoftmax.State state = OnlineSoftmax.State.start(4, 3);
        int[][] blocks = {{0, 3}, {3, 5}, {5, 9}};
        for (int[] b : blocks) {
            state = OnlineSoftmaxUpdate.update(state,
                scores.get(NDArrayIndex.all(), NDArrayIndex.interval(b[0], b[1])).dup(),
                values.get(NDArrayIndex.interval(b[0], b[1]), NDArrayIndex.all()).dup());
            assertNotNull(state, "update returned null");
        }
        double[][] expected = Loops.matmul(Loops.softmaxRows(scores.toDoubleMatrix()), values.toDoubleMatrix());
        assertClose(expected, state.output(), 1e-5, "acc / l after all three blocks");
        double[][] rowMax = new double[4][1];
        double[][] s = scores.toDoubleMatrix();
        for (int i = 0; i < 4; i++) {
            rowMax[i][0] = java.util.Arrays.stream(s[i]).max().getAsDouble();
        }
        assertClose(rowMax, state.m(), 1e-6, "m after all three blocks (the maximum over all 9 keys of each row)");
    }

    @Test
    @Points(2)
    @Hint(value = "What is exp(-inf - (-inf))? A row that has seen no key yet must stay without NaN.",
        full = "A row that has seen only -inf scores keeps m = -inf: shift it by 0, not by m', so nothing becomes NaN.")
    @DisplayName("a first block that is fully masked for one row leaves no NaN, and the result is still exact")
    void fullyMaskedFirstBlock() {
        INDArray scores = Seeded.matrix(5, 2, 6);
        INDArray values = Seeded.matrix(6, 6, 2);
        for (int j = 0; j < 3; j++) {
            scores.putScalar(0, j, Float.NEGATIVE_INFINITY);   // row 0 sees no key in the first block
        }
        INDArray scoresBefore = scores.dup();
        OnlineSoftmax.State state = OnlineSoftmax.State.start(2, 2);
        state = OnlineSoftmaxUpdate.update(state, scores.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)).dup(),
            values.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()).dup());
        assertNotNull(state, "update returned null");
        assertTrue(!Double.isNaN(state.l().sumNumber().doubleValue()) && !Double.isNaN(state.acc().sumNumber().doubleValue()),
            "l and acc must not contain NaN after a fully masked block, got l = " + state.l() + ", acc = " + state.acc());
        assertTrue(state.m().getDouble(0, 0) == Double.NEGATIVE_INFINITY,
            "m of row 0 after a block of only -inf scores must stay -inf, got " + state.m().getDouble(0, 0));
        state = OnlineSoftmaxUpdate.update(state, scores.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)).dup(),
            values.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all()).dup());
        // Reference: softmax over the keys each row may see (exp(-inf) = 0), times V.
        double[][] s = scoresBefore.toDoubleMatrix();
        double[][] weights = new double[2][6];
        for (int i = 0; i < 2; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double x : s[i]) {
                max = Math.max(max, x);
            }
            double sum = 0;
            for (int j = 0; j < 6; j++) {
                weights[i][j] = Math.exp(s[i][j] - max);
                sum += weights[i][j];
            }
            for (int j = 0; j < 6; j++) {
                weights[i][j] /= sum;
            }
        }
        assertClose(Loops.matmul(weights, values.toDoubleMatrix()), state.output(), 1e-5, "acc / l after both blocks");
    }
}
