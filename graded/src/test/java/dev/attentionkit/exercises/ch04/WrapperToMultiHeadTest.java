package dev.attentionkit.exercises.ch04;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;
import dev.attentionkit.data.BookExample;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("4.3 Transfer the wrapper's heads into MultiHeadAttention")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.MultiHeadAttention#fromWrapper",
    "dev.attentionkit.attention.Heads",
    "dev.attentionkit.attention.FusedQkvAttention",
    "dev.attentionkit.train.*"})
class WrapperToMultiHeadTest {

    @Test
    @Hint(value = "The wrapper has no output projection: what must MultiHeadAttention's be so that it changes nothing?",
        full = "Nd4j.concat(0, ...) stacks the heads' [hs, dIn] weights into [nh*hs, dIn]; the output projection must be the identity (Nd4j.eye) with a zero bias.")
    @Points(1)
    @DisplayName("the book's wrapper (2 heads, torch.manual_seed(123)): its printed output")
    void bookWrapper() {
        MultiHeadAttentionWrapper wrapper = MultiHeadAttentionWrapper.fromSeed(3, 2, 6, 0.0, 2, false, 123);
        MultiHeadAttention mha = WrapperToMultiHead.transfer(wrapper);
        assertNotNull(mha, "transfer(wrapper) returned null");
        // Book section 3.6.1, context_vecs of the wrapper; both sentences of the batch are the same.
        assertClose(Book.twice(Book.wrapper()), mha.eval().forward(BookExample.batch()), 1e-4,
            "forward(batch) of the transferred module");
    }

    @Test
    @Hint(value = "The wrapper has no output projection: what must MultiHeadAttention's be so that it changes nothing?",
        full = "Nd4j.concat(0, ...) stacks the heads' [hs, dIn] weights into [nh*hs, dIn]; the output projection must be the identity (Nd4j.eye) with a zero bias.")
    @Points(2)
    @DisplayName("3 random heads (dIn = 5, 3 features each): outputs equal the heads side by side")
    void randomHeads() {
        List<CausalAttention> heads = new ArrayList<>();
        double[][] x = Seeded.matrix(60, 7, 5).toDoubleMatrix();
        double[][][] perHead = new double[3][][];
        for (int h = 0; h < 3; h++) {
            INDArray wq = Seeded.matrix(61 + 3 * h, 3, 5);   // [hs, dIn], PyTorch's layout
            INDArray wk = Seeded.matrix(62 + 3 * h, 3, 5);
            INDArray wv = Seeded.matrix(63 + 3 * h, 3, 5);
            heads.add(CausalAttention.fromWeights(wq, wk, wv, 8));
            perHead[h] = Loops.causalSelfAttention(x, Loops.transpose(wq.toDoubleMatrix()),
                Loops.transpose(wk.toDoubleMatrix()), Loops.transpose(wv.toDoubleMatrix()));   // [7, 3]
        }
        double[][] expected = new double[7][9];
        for (int t = 0; t < 7; t++) {
            for (int h = 0; h < 3; h++) {
                System.arraycopy(perHead[h][t], 0, expected[t], 3 * h, 3);
            }
        }
        MultiHeadAttention mha = WrapperToMultiHead.transfer(MultiHeadAttentionWrapper.fromHeads(heads));
        assertNotNull(mha, "transfer(wrapper) returned null");
        assertEquals(3, mha.numHeads(), "the module needs the wrapper's number of heads");
        assertClose(expected, mha.eval().forward(Seeded.matrix(60, 7, 5)), 1e-5,
            "forward(x [7, 5]) of the transferred module (heads' outputs side by side)");
    }
}
