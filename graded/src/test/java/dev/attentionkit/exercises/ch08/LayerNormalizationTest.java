package dev.attentionkit.exercises.ch08;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("8.2 Layer normalisation")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.transformer.*",
    "dev.attentionkit.train.*",
    "dev.attentionkit.longrange.*",
    "*#layerNorm",
    "*#standardize",
    "*#normalizeZeroMeanAndUnitVariance",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.Standardize",
    "org.nd4j.linalg.dataset.api.preprocessor.*"})
class LayerNormalizationTest {

    @Test
    @Points(1)
    @Hint(value = "Over which axis are the mean and the variance taken?",
        full = "Normalise each row on its own: mean and variance over the last axis (x.mean(true, 1)), not over the whole array.")
    @DisplayName("gamma = 1, beta = 0: every row gets mean 0 and variance 1")
    void plain() {
        double[][] x = {{1, 2, 3, 4}, {10, 10, 10, 14}};
        INDArray xs = org.nd4j.linalg.factory.Nd4j.createFromArray(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray ones = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4);
        INDArray zeros = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4);
        assertClose(Loops.layerNorm(x, new double[] {1, 1, 1, 1}, new double[4], 1e-5),
            LayerNormalization.forward(xs, ones, zeros, 1e-5), 1e-4, "LayerNorm of two rows");
    }

    @Test
    @Points(2)
    @Hint(value = "Which variance (divided by d or by d - 1), and where does eps go?",
        full = "The variance is biased (divide by d, as PyTorch); eps goes inside the square root; then · gamma + beta per column.")
    @DisplayName("random 5 × 6 input with gamma, beta and eps = 0.1")
    void withGammaBeta() {
        INDArray x = Seeded.matrix(81, 5, 6);
        INDArray gamma = Seeded.array(82, 6);
        INDArray beta = Seeded.array(83, 6);
        assertClose(Loops.layerNorm(x.toDoubleMatrix(), gamma.toDoubleVector(), beta.toDoubleVector(), 0.1),
            LayerNormalization.forward(x, gamma, beta, 0.1), 1e-4, "LayerNorm with gamma, beta, eps 0.1");
    }

    @Test
    @Points(1)
    @Hint(value = "Which shapes of x, gamma and beta are valid, and what happens to the others?",
        full = "Check that x is [rows, d] and that gamma and beta have d values; throw IllegalArgumentException otherwise.")
    @DisplayName("gamma or beta of the wrong size, or x not [rows, d], is rejected; the right sizes are normalised")
    void rejects() {
        INDArray x = Seeded.matrix(84, 3, 4);
        // Paired with a real computation, so throwing on every call earns nothing here.
        INDArray g = Seeded.array(85, 4);
        INDArray b = Seeded.array(86, 4);
        assertClose(Loops.layerNorm(x.toDoubleMatrix(), g.toDoubleVector(), b.toDoubleVector(), 1e-3),
            LayerNormalization.forward(x, g, b, 1e-3), 1e-4, "LayerNorm of x [3, 4] with gamma [4], beta [4], eps 1e-3");
        assertThrows(IllegalArgumentException.class,
            () -> LayerNormalization.forward(x, Seeded.array(1, 5), Seeded.array(2, 4), 1e-5), "gamma [5]");
        assertThrows(IllegalArgumentException.class,
            () -> LayerNormalization.forward(x, Seeded.array(1, 4), Seeded.array(2, 3), 1e-5), "beta [3]");
        assertThrows(IllegalArgumentException.class,
            () -> LayerNormalization.forward(Seeded.array(3, 2, 4, 4), Seeded.array(1, 4), Seeded.array(2, 4), 1e-5),
            "x [2, 4, 4] (rank 3, not [rows, d])");
    }
}
