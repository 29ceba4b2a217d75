package dev.attentionkit.exercises.ch01;

import static dev.attentionkit.exercises.Graded.assertClose;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.exercises.Graded;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("1.3 All context vectors with matrix products")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.*",
    "dev.attentionkit.score.*",
    "dev.attentionkit.efficient.*"})
class ContextVectorsTest {

    @Test
    @Points(2)
    @Hint(value = "Does this chapter scale the scores? Check each step's shape: scores, weights, context.",
        full = "scores = X · Xᵀ (no scaling in this chapter), weights = softmax of each row, context = weights · X.")
    @DisplayName("the book's six context vectors")
    void bookContextVectors() {
        // Book section 3.3.2, all_context_vecs.
        double[][] book = {
            {0.4421, 0.5931, 0.5790}, {0.4419, 0.6515, 0.5683}, {0.4431, 0.6496, 0.5671},
            {0.4304, 0.6298, 0.5510}, {0.4671, 0.5910, 0.5266}, {0.4177, 0.6503, 0.5645}};
        assertClose(book, ContextVectors.all(BookExample.inputs()), 1e-4, "context vectors of the book's inputs");
    }

    @Test
    @Points(1)
    @Hint(value = "Check the shape after each step; the context of a token mixes the rows of X.",
        full = "Check the shapes: [tokens, tokens] weights times [tokens, d] inputs gives [tokens, d].")
    @DisplayName("a random 7x5 input matches a plain-loop reference")
    void randomInput() {
        INDArray x = Graded.randomMatrix(21, 7, 5);
        double[][] xs = x.toDoubleMatrix();
        double[][] expected = Graded.matmul(Graded.softmaxRows(Graded.matmul(xs, Graded.transpose(xs))), xs);
        assertClose(expected, ContextVectors.all(x), 1e-5, "context vectors of a random [7, 5] input");
    }
}
