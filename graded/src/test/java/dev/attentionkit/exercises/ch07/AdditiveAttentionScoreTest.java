package dev.attentionkit.exercises.ch07;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
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

    private static void check(long seed, int dQ, int dK, int h, int tx) {
        INDArray q = Seeded.matrix(seed, 1, dQ).reshape(dQ);
        INDArray keys = Seeded.matrix(seed + 1, tx, dK);
        INDArray wQ = Seeded.matrix(seed + 2, h, dQ);
        INDArray wK = Seeded.matrix(seed + 3, h, dK);
        INDArray v = Seeded.matrix(seed + 4, 1, h).reshape(h);
        double[] want = Loops.additiveScores(q.toDoubleVector(), keys.toDoubleMatrix(), wQ.toDoubleMatrix(), wK.toDoubleMatrix(),
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
