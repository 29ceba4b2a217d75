package dev.attentionkit.exercises.ch08;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

@DisplayName("8.3 Pre-LN residual sub-layer")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.transformer.*",
    "dev.attentionkit.train.*",
    "dev.attentionkit.longrange.*",
    "*#layerNorm"})
class PreLnResidualTest {

    @Test
    @Points(1)
    @Hint(value = "Where does the layer norm go in a pre-LN block, and what does the residual add?",
        full = "With a sub-layer that returns zeros, the output must be x itself: the residual adds the raw x.")
    @DisplayName("a zero sub-layer leaves x unchanged; tanh as the sub-layer gives x + tanh(layerNorm(x))")
    void identity() {
        INDArray x = Seeded.matrix(91, 4, 3);
        INDArray gamma = Seeded.array(92, 3);
        INDArray beta = Seeded.array(93, 3);
        INDArray y = PreLnResidual.apply(x, gamma, beta, a -> a.mul(0));
        assertClose(x.toDoubleMatrix(), y, 1e-6, "x + 0");
        // Paired with a real sub-layer on the same x, so returning x itself earns nothing here.
        double[][] ln = Loops.layerNorm(x.toDoubleMatrix(), gamma.toDoubleVector(),
            beta.toDoubleVector(), 1e-5);
        double[][] xs = x.toDoubleMatrix();
        double[][] expected = new double[4][3];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 3; c++) {
                expected[r][c] = xs[r][c] + Math.tanh(ln[r][c]);
            }
        }
        assertClose(expected, PreLnResidual.apply(x, gamma, beta, a -> Transforms.tanh(a, true)), 1e-4,
            "x + tanh(layerNorm(x))");
    }

    @Test
    @Points(2)
    @Hint(value = "What does the sub-layer read, and what is added to its output?",
        full = "The sub-layer reads layerNorm(x) (eps 1e-5), not x; add its output to the original x.")
    @DisplayName("x + W·layerNorm(x) for a linear sub-layer")
    void linearSublayer() {
        INDArray x = Seeded.matrix(94, 5, 4);
        INDArray gamma = Seeded.array(95, 4);
        INDArray beta = Seeded.array(96, 4);
        INDArray w = Seeded.matrix(97, 4, 4);
        double[][] ln = Loops.layerNorm(x.toDoubleMatrix(), gamma.toDoubleVector(),
            beta.toDoubleVector(), 1e-5);
        double[][] sub = Loops.matmul(ln, w.toDoubleMatrix());
        double[][] expected = new double[5][4];
        double[][] xs = x.toDoubleMatrix();
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 4; c++) {
                expected[r][c] = xs[r][c] + sub[r][c];
            }
        }
        assertClose(expected, PreLnResidual.apply(x, gamma, beta, a -> a.mmul(w)), 1e-4, "x + layerNorm(x)·W");
    }
}
