package dev.attentionkit.exercises.ch01;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("1.2 Softmax attention weights")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.tensor.Softmax",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.mask.*",
    "org.nd4j.linalg.ops.transforms.Transforms#softmax",
    "org.nd4j.linalg.factory.ops.NDNN#softmax",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax",
    "org.nd4j.linalg.activations.*"})
class SoftmaxWeightsTest {

    @Test
    @Points(1)
    @Hint(value = "Do the weights of a row sum to 1, and are they all positive?",
        full = "Softmax is exp(s) divided by the sum of exp over the last axis.")
    @DisplayName("the book's weights for the query 'journey'")
    void bookWeights() {
        // Book section 3.3.1: softmax of attn_scores_2.
        INDArray scores = Nd4j.createFromArray(Book.journeyScores()).castTo(DataType.FLOAT);
        assertClose(Book.journeyWeights(),
            SoftmaxWeights.softmax(scores), 1e-4, "softmax of the book's scores");
    }

    @Test
    @Points(1)
    @Hint(value = "Over which axis do you sum and take the maximum, and does the result still broadcast against the scores?",
        full = "Reduce over the last axis (rank - 1) with keepDims = true, so [2, 3, 1] broadcasts against [2, 3, 4].")
    @DisplayName("softmax runs over the last axis of a [2, 3, 4] batch")
    void lastAxisOfABatch() {
        INDArray scores = Seeded.matrix(5, 6, 4).mul(3).reshape(2, 3, 4);
        INDArray weights = SoftmaxWeights.softmax(scores);
        assertArrayEquals(new long[] {2, 3, 4}, weights.shape(), "the weights keep the shape of the scores");
        double[][] expected = Loops.softmaxRows(scores.reshape(6, 4).toDoubleMatrix());
        assertClose(expected, weights.reshape(6, 4), 1e-5, "weights of each row (batch flattened to rows)");
    }

    @Test
    @Points(1)
    @Hint(value = "How large can exp get in float32, and which shift per row changes nothing mathematically?",
        full = "Subtract each row's maximum before exp: exp(1000) is infinite in float32.")
    @DisplayName("large scores give finite weights (numerically stable), each row shifted by its own maximum")
    void largeScoresAreStable() {
        INDArray scores = Nd4j.createFromArray(1000f, 1001f, 999f);
        double e = Math.E;
        double sum = 1 / e + 1 + 1 / (e * e);
        double[] expected = {1 / e / sum, 1 / sum, 1 / (e * e) / sum};
        assertClose(expected, SoftmaxWeights.softmax(scores), 1e-5,
            "softmax of [1000, 1001, 999] (exp(1000) overflows: subtract the maximum first)");
        // Two rows of very different sizes: shifting both by the largest score of the whole array underflows
        // the second row to 0 / 0.
        INDArray rows = Nd4j.createFromArray(new float[][] {{1000f, 1001f, 999f}, {1f, 2f, 0f}});
        assertClose(new double[][] {expected, expected}, SoftmaxWeights.softmax(rows), 1e-5,
            "softmax of [[1000, 1001, 999], [1, 2, 0]] (each row minus its own maximum; both rows are [1/e, 1, 1/e²] / sum)");
    }
}
