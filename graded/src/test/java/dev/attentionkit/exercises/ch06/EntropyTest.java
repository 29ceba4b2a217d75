package dev.attentionkit.exercises.ch06;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.tensor.Softmax;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("6.2 Attention entropy per head and query")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "*#entropy",
    "*#entropyNumber",
    "*#shannonEntropy",
    "*#shannonEntropyNumber",
    "*#logEntropy",
    "*#logEntropyNumber",
    "org.nd4j.linalg.api.ops.impl.reduce.floating.Entropy",
    "org.nd4j.linalg.api.ops.impl.reduce.floating.ShannonEntropy",
    "org.nd4j.linalg.api.ops.impl.reduce.floating.LogEntropy",
    "dev.attentionkit.viz.*"})
class EntropyTest {

    @Test
    @Hint(value = "Which logarithm is it, and what does a weight of 0 contribute?",
        full = "sum -w * ln(w) over the last axis, treating entries with w = 0 as contributing 0.")
    @Points(1)
    @DisplayName("one-hot rows have entropy 0, even rows ln(n), and zero weights add nothing")
    void byHand() {
        INDArray weights = Nd4j.createFromArray(new float[][][] {
            {{1f, 0f, 0f, 0f}, {0.25f, 0.25f, 0.25f, 0.25f}},
            {{0.5f, 0.5f, 0f, 0f}, {0f, 0f, 0f, 0f}}});
        double[][] expected = {{0, Math.log(4)}, {Math.log(2), 0}};
        assertClose(expected, HeadStatistics.entropy(weights), 1e-5, "entropy(weights [2 heads, 2 queries, 4 keys])");
    }

    @Test
    @Hint(value = "Which logarithm is it, and what does a weight of 0 contribute?",
        full = "sum -w * ln(w) over the last axis, treating entries with w = 0 as contributing 0.")
    @Points(1)
    @DisplayName("softmax weights of random scores [3 heads, 4 queries, 5 keys]")
    void random() {
        INDArray weights = Softmax.lastAxis(Seeded.array(91, 3, 4, 5).mul(3));
        double[][][] w = Values.of3(weights);
        double[][] expected = new double[3][4];
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < 4; i++) {
                for (double p : w[h][i]) {
                    expected[h][i] -= p * Math.log(p);
                }
            }
        }
        assertClose(expected, HeadStatistics.entropy(weights), 1e-5, "entropy(weights [3, 4, 5])");
    }
}
