package dev.attentionkit.exercises.ch07;

import static dev.attentionkit.exercises.Graded.assertClose;

import dev.attentionkit.exercises.Graded;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("7.1 Bahdanau's additive score")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.score.*",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.train.*",
    "dev.attentionkit.seq2seq.*"})
class AdditiveAttentionScoreTest {

    /** score_j = Σ_i v_i · tanh(Σ_a wQ[i][a]·q[a] + Σ_b wK[i][b]·k_j[b]), in plain loops. */
    static double[] expected(double[] q, double[][] keys, double[][] wQ, double[][] wK, double[] v) {
        double[] out = new double[keys.length];
        for (int j = 0; j < keys.length; j++) {
            for (int i = 0; i < v.length; i++) {
                double pre = 0;
                for (int a = 0; a < q.length; a++) {
                    pre += wQ[i][a] * q[a];
                }
                for (int b = 0; b < keys[j].length; b++) {
                    pre += wK[i][b] * keys[j][b];
                }
                out[j] += v[i] * Math.tanh(pre);
            }
        }
        return out;
    }

    private static void check(long seed, int dQ, int dK, int h, int tx) {
        INDArray q = Graded.randomMatrix(seed, 1, dQ).reshape(dQ);
        INDArray keys = Graded.randomMatrix(seed + 1, tx, dK);
        INDArray wQ = Graded.randomMatrix(seed + 2, h, dQ);
        INDArray wK = Graded.randomMatrix(seed + 3, h, dK);
        INDArray v = Graded.randomMatrix(seed + 4, 1, h).reshape(h);
        double[] want = expected(q.toDoubleVector(), keys.toDoubleMatrix(), wQ.toDoubleMatrix(), wK.toDoubleMatrix(),
            v.toDoubleVector());
        assertClose(want, AdditiveAttentionScore.scores(q, keys, wQ, wK, v), 1e-5,
            String.format("scores for dQ=%d, dK=%d, h=%d, Tx=%d", dQ, dK, h, tx));
    }

    @Test
    @Hint(value = "Write down the additive score for key j and compare each factor: projections, tanh, v.",
        full = "keys.mmul(wK.transpose()) gives [Tx, h]; add wQ·query as a row vector; Transforms.tanh; then multiply by v.")
    @Points(1)
    @DisplayName("one query against 5 keys of the same size (dQ = dK = 4, h = 3)")
    void sameSizes() {
        check(70, 4, 4, 3, 5);
    }

    @Test
    @Hint(value = "Write down the additive score for key j and compare each factor: projections, tanh, v.",
        full = "keys.mmul(wK.transpose()) gives [Tx, h]; add wQ·query as a row vector; Transforms.tanh; then multiply by v.")
    @Points(2)
    @DisplayName("queries and keys of different sizes (dQ = 6, dK = 3, h = 5, Tx = 7)")
    void differentSizes() {
        check(80, 6, 3, 5, 7);
    }
}
