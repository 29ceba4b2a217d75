package dev.attentionkit.exercises.ch02;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("2.1 SelfAttention_v1 forward pass")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.*",
    "dev.attentionkit.score.*",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.train.*"})
class MySelfAttentionV1Test {

    @Test
    @Points(2)
    @Hint(value = "Compare your steps with the book's forward pass of SelfAttention_v1, one line at a time.",
        full = "queries = x · W_query, keys = x · W_key, values = x · W_value; softmax over each row of the scaled scores.")
    @DisplayName("the book's output with torch.manual_seed(123)")
    void bookOutput() {
        // Book section 3.4.2: SelfAttention_v1(3, 2) after torch.manual_seed(123).
        TorchRandom random = TorchRandom.manualSeed(123);
        MySelfAttentionV1 attention = new MySelfAttentionV1(random.rand(3, 2), random.rand(3, 2), random.rand(3, 2));
        assertClose(Book.selfAttentionV1(), attention.forward(BookExample.inputs()), 1e-4, "forward(inputs) with the book's weights");
    }

    @Test
    @Points(2)
    @Hint(value = "What exactly are the scores divided by, and what stops exp from overflowing on large scores?",
        full = "Divide the scores by sqrt(dOut), the key size (here sqrt(9) = 3), not by dOut.")
    @DisplayName("scaled by 1/sqrt(dOut): a random 5x4 input with dOut = 9, and with W_query 200 times larger")
    void scalingWithALargerKeySize() {
        INDArray x = Seeded.matrix(1, 5, 4);
        INDArray wq = Seeded.matrix(2, 4, 9);
        INDArray wk = Seeded.matrix(3, 4, 9);
        INDArray wv = Seeded.matrix(4, 4, 9);
        double[][] expected = Loops.selfAttention(x.toDoubleMatrix(), wq.toDoubleMatrix(), wk.toDoubleMatrix(), wv.toDoubleMatrix());
        assertClose(expected, new MySelfAttentionV1(wq, wk, wv).forward(x), 1e-5,
            "forward(x) for dIn = 4, dOut = 9 (scores divided by sqrt(9) = 3)");
        // A query weight 200 times larger gives scores in the hundreds: exp overflows float32 unless each row's
        // maximum is subtracted first.
        INDArray wqLarge = wq.mul(200);
        double[][] expectedLarge = Loops.selfAttention(x.toDoubleMatrix(), wqLarge.toDoubleMatrix(), wk.toDoubleMatrix(),
            wv.toDoubleMatrix());
        assertClose(expectedLarge, new MySelfAttentionV1(wqLarge, wk, wv).forward(x), 1e-4,
            "forward(x) with W_query times 200: large scores must stay finite (subtract each row's maximum before exp)");
    }
}
