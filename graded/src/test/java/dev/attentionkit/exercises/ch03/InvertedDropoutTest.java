package dev.attentionkit.exercises.ch03;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("3.3 Inverted dropout")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.nn.Dropout",
    "dev.attentionkit.attention.*",
    "org.nd4j.linalg.api.ops.random.impl.*",
    "*#dropout",
    "*#dropoutInverted"})
class InvertedDropoutTest {

    @Test
    @Hint(value = "What do the survivors get multiplied by, for any p, and what does evaluation mode do?",
        full = "in training return x times keep divided by (1 - p); in evaluation return x itself.")
    @Points(1)
    @DisplayName("p = 0.5 on a 6x6 matrix of ones: survivors become 2, the rest 0 (book 3.5.2)")
    void halfOfOnes() {
        float[][] keep = randomKeep(6, 6, 0.5, 5);
        double[][] expected = new double[6][6];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                expected[i][j] = keep[i][j] * 2.0;
            }
        }
        assertClose(expected, InvertedDropout.apply(Nd4j.ones(6, 6), Nd4j.createFromArray(keep), 0.5, true), 1e-6,
            "apply(ones, keep, 0.5, training)");
    }

    @Test
    @Hint(value = "What do the survivors get multiplied by, for any p, and what does evaluation mode do?",
        full = "in training return x times keep divided by (1 - p); in evaluation return x itself.")
    @Points(1)
    @DisplayName("p = 0.1 on attention weights [2, 3, 3]: survivors are divided by 0.9")
    void weightsBatch() {
        INDArray x = Seeded.array(12, 2, 3, 3).add(1).div(2);
        double[] xs = Loops.flatten(Values.of3(x));
        float[][] keepRows = randomKeep(1, 18, 0.1, 13);
        double[] expected = new double[18];
        for (int n = 0; n < 18; n++) {
            expected[n] = keepRows[0][n] * xs[n] / 0.9;
        }
        INDArray keep = Nd4j.createFromArray(keepRows).reshape(2, 3, 3);
        assertClose(new long[] {2, 3, 3}, expected, InvertedDropout.apply(x, keep, 0.1, true), 1e-5,
            "apply(weights, keep, 0.1, training)");
    }

    @Test
    @Hint(value = "What do the survivors get multiplied by, for any p, and what does evaluation mode do?",
        full = "in training return x times keep divided by (1 - p); in evaluation return x itself.")
    @Points(1)
    @DisplayName("evaluation mode returns the input unchanged, and the same call in training drops and scales by 1/(1 - p)")
    void evalMode() {
        INDArray x = Seeded.matrix(14, 4, 4);
        INDArray dropEverything = Nd4j.zeros(4, 4);
        assertClose(x.toDoubleMatrix(), InvertedDropout.apply(x, dropEverything, 0.25, false), 0.0,
            "apply(x, keep = zeros, 0.25, training = false)");
        // Paired with training on the same x, so returning x unchanged everywhere earns nothing here.
        float[][] keep = randomKeep(4, 4, 0.25, 15);
        double[][] xs = x.toDoubleMatrix();
        double[][] expected = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                expected[i][j] = keep[i][j] * xs[i][j] / 0.75;
            }
        }
        assertClose(expected, InvertedDropout.apply(x, Nd4j.createFromArray(keep), 0.25, true), 1e-5,
            "apply(x, keep, 0.25, training = true)");
    }

    private static float[][] randomKeep(int rows, int cols, double p, long seed) {
        Random random = Seeded.random(seed);
        float[][] keep = new float[rows][cols];
        for (float[] r : keep) {
            for (int j = 0; j < cols; j++) {
                r[j] = random.nextDouble() < p ? 0f : 1f;
            }
        }
        return keep;
    }
}
