package dev.attentionkit.exercises.ch07;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.score.MultiplicativeScore;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("7.2 One decoder step with attention")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.seq2seq.*",
    "dev.attentionkit.train.*",
    "dev.attentionkit.attention.AttentionLayer",
    "dev.attentionkit.attention.ScaledDotProductAttention"})
class DecoderStepTest {

    /** weights = softmax(scores), context = Σ_j weights_j · states_j, in plain loops. */
    private static void check(double[] scores, double[][] states, AttentionOutput out) {
        assertNotNull(out, "attend returned null");
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] w = new double[scores.length];
        double sum = 0;
        for (int j = 0; j < scores.length; j++) {
            w[j] = Math.exp(scores[j] - max);
            sum += w[j];
        }
        double[] context = new double[states[0].length];
        for (int j = 0; j < scores.length; j++) {
            w[j] /= sum;
            for (int d = 0; d < context.length; d++) {
                context[d] += w[j] * states[j][d];
            }
        }
        assertClose(w, out.weights(), 1e-5, "weights [Tx]");
        assertClose(context, out.context(), 1e-5, "context [dK]");
    }

    @Test
    @Hint(value = "The weights must be a softmax of the scores, and the context their weighted sum of the states.",
        full = "score.scores(query.reshape(1, dQ), encoderStates) is [1, Tx]; Softmax.lastAxis; weights.mmul(encoderStates); reshape both to vectors.")
    @Points(2)
    @DisplayName("with Luong's multiplicative score qᵀ W k (dQ = 3, dK = 4, Tx = 6)")
    void luong() {
        INDArray w = Seeded.matrix(90, 3, 4);
        INDArray q = Seeded.matrix(91, 1, 3).reshape(3);
        INDArray states = Seeded.matrix(92, 6, 4);
        double[][] wm = w.toDoubleMatrix();
        double[][] s = states.toDoubleMatrix();
        double[] qv = q.toDoubleVector();
        double[] scores = new double[6];
        for (int j = 0; j < 6; j++) {
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 4; b++) {
                    scores[j] += qv[a] * wm[a][b] * s[j][b];
                }
            }
        }
        check(scores, s, DecoderStep.attend(q, states, MultiplicativeScore.fromWeights(w)));
    }

    @Test
    @Hint(value = "The weights must be a softmax of the scores, and the context their weighted sum of the states.",
        full = "score.scores(query.reshape(1, dQ), encoderStates) is [1, Tx]; Softmax.lastAxis; weights.mmul(encoderStates); reshape both to vectors.")
    @Points(1)
    @DisplayName("with Bahdanau's additive score (dQ = 5, dK = 2, h = 4, Tx = 8)")
    void bahdanau() {
        INDArray wQ = Seeded.matrix(93, 4, 5);
        INDArray wK = Seeded.matrix(94, 4, 2);
        INDArray v = Seeded.matrix(95, 1, 4).reshape(4);
        INDArray q = Seeded.matrix(96, 1, 5).reshape(5);
        INDArray states = Seeded.matrix(97, 8, 2);
        double[] scores = Loops.additiveScores(q.toDoubleVector(), states.toDoubleMatrix(),
            wQ.toDoubleMatrix(), wK.toDoubleMatrix(), v.toDoubleVector());
        check(scores, states.toDoubleMatrix(), DecoderStep.attend(q, states, AdditiveScore.fromWeights(wQ, wK, v)));
    }
}
