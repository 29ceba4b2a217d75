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

@DisplayName("1.1 Attention scores for one query")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.*",
    "dev.attentionkit.score.*",
    "dev.attentionkit.efficient.*"})
class AttentionScoresTest {

    @Test
    @Points(1)
    @Hint(value = "Which row is 'journey'? Java counts rows from 0. And what shape does a product of [tokens, d] and [d, 1] have?",
        full = "Use inputs.mmul(query as a [d, 1] column), then reshape to [tokens]; Java indexes from 0, so journey is row 1.")
    @DisplayName("the book's scores for the query 'journey'")
    void bookScores() {
        // Printed in book section 3.3.1 (attn_scores_2), computed there by PyTorch.
        assertClose(Book.journeyScores(),
            AttentionScores.forQuery(BookExample.inputs(), 1), 1e-4, "scores for query 1 ('journey')");
    }

    @Test
    @Points(1)
    @Hint(value = "A score compares the query with one token: which product of two vectors does that?",
        full = "The score of token j is the dot product of row `query` with row j, for every j.")
    @DisplayName("dot products for every query of a random 5x4 input")
    void everyQueryOfRandomInput() {
        INDArray x = Seeded.matrix(11, 5, 4);
        double[][] all = Loops.matmul(x.toDoubleMatrix(), Loops.transpose(x.toDoubleMatrix()));
        for (int q = 0; q < 5; q++) {
            assertClose(all[q], AttentionScores.forQuery(x, q), 1e-5, "scores for query " + q);
        }
    }
}
