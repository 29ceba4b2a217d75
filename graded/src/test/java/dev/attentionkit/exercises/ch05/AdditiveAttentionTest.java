package dev.attentionkit.exercises.ch05;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("5.1 Additive (Bahdanau) scores")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.score.*",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.train.*",
    "dev.attentionkit.seq2seq.*"})
class AdditiveAttentionTest {

    @Test
    @Hint(value = "Write down the formula of Bahdanau's score for one query i and key j, and compare each factor.",
        full = "project with queries.mmul(wQ.transpose()) and keys.mmul(wK.transpose()); for query i, tanh(projected keys + projected query i) times v gives row i.")
    @Points(1)
    @DisplayName("a case to check by hand: W_q = W_k = identity, v = [1, 1]")
    void byHand() {
        INDArray queries = Nd4j.createFromArray(new float[][] {{1, 0}});
        INDArray keys = Nd4j.createFromArray(new float[][] {{0, 1}, {1, 1}});
        INDArray eye = Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}});
        INDArray v = Nd4j.createFromArray(1f, 1f);
        // tanh([1, 0] + [0, 1]) summed = 2·tanh(1); tanh([1, 0] + [1, 1]) summed = tanh(2) + tanh(1).
        double[][] expected = {{2 * Math.tanh(1), Math.tanh(2) + Math.tanh(1)}};
        assertClose(expected, AdditiveAttention.scores(queries, keys, eye, eye, v), 1e-5,
            "scores(q [1, 2], k [2, 2], identity weights, v = [1, 1])");
    }

    @Test
    @Hint(value = "Write down the formula of Bahdanau's score for one query i and key j, and compare each factor.",
        full = "project with queries.mmul(wQ.transpose()) and keys.mmul(wK.transpose()); for query i, tanh(projected keys + projected query i) times v gives row i.")
    @Points(2)
    @DisplayName("random queries [3, 4] and keys [5, 6] of different sizes, hidden size 7")
    void differentSizes() {
        INDArray q = Seeded.matrix(70, 3, 4);
        INDArray k = Seeded.matrix(71, 5, 6);
        INDArray wQ = Seeded.matrix(72, 7, 4);
        INDArray wK = Seeded.matrix(73, 7, 6);
        INDArray v = Seeded.matrix(74, 1, 7).reshape(7);
        double[][] qs = q.toDoubleMatrix();
        double[][] ks = k.toDoubleMatrix();
        double[][] wq = wQ.toDoubleMatrix();
        double[][] wk = wK.toDoubleMatrix();
        double[] vs = v.toDoubleVector();
        double[][] expected = new double[3][5];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                for (int u = 0; u < 7; u++) {          // one hidden unit at a time
                    double pre = 0;
                    for (int d = 0; d < 4; d++) {
                        pre += wq[u][d] * qs[i][d];
                    }
                    for (int d = 0; d < 6; d++) {
                        pre += wk[u][d] * ks[j][d];
                    }
                    expected[i][j] += vs[u] * Math.tanh(pre);
                }
            }
        }
        assertClose(expected, AdditiveAttention.scores(q, k, wQ, wK, v), 1e-5, "scores(q [3, 4], k [5, 6], h = 7)");
    }
}
