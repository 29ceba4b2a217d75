package dev.attentionkit.exercises.ch01;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
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
        assertClose(Book.contextVectors(), ContextVectors.all(BookExample.inputs()), 1e-4, "context vectors of the book's inputs");
    }

    @Test
    @Points(1)
    @Hint(value = "Check the shape after each step; the context of a token mixes the rows of X.",
        full = "Check the shapes: [tokens, tokens] weights times [tokens, d] inputs gives [tokens, d].")
    @DisplayName("a random 7x5 input matches a plain-loop reference")
    void randomInput() {
        INDArray x = Seeded.matrix(21, 7, 5);
        double[][] xs = x.toDoubleMatrix();
        double[][] expected = Loops.matmul(Loops.softmaxRows(Loops.matmul(xs, Loops.transpose(xs))), xs);
        assertClose(expected, ContextVectors.all(x), 1e-5, "context vectors of a random [7, 5] input");
    }
}
