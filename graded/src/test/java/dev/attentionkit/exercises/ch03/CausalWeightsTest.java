package dev.attentionkit.exercises.ch03;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.attention.SelfAttentionV2;
import dev.attentionkit.data.BookExample;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("3.2 Causal attention weights")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.mask.*",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.tensor.Softmax#masked",
    "org.nd4j.linalg.ops.transforms.Transforms#softmax",
    "org.nd4j.linalg.factory.ops.NDNN#softmax",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax",
    "org.nd4j.linalg.activations.*"})
class CausalWeightsTest {

    @Test
    @Hint(value = "Mask first, then a softmax that stays finite for large scores: what do the rows look like for scores of 100?",
        full = "add additiveMask(tokens) to the scores (it broadcasts over a batch), subtract each row's max, Transforms.exp (exp(-inf) is 0), divide by the row sum. Softmax.lastAxis refuses infinite scores.")
    @Points(2)
    @DisplayName("the book's masked weights (SelfAttention_v2, torch.manual_seed(789))")
    void bookWeights() {
        // Book section 3.5.1: the scores of sa_v2 on the six tokens, scaled by 1/sqrt(2); the book prints
        // these weights for both of its ways (renormalised after softmax, and -inf before softmax).
        SelfAttentionV2 v2 = SelfAttentionV2.fromSeed(3, 2, false, 789);
        INDArray inputs = BookExample.inputs();
        INDArray scores = v2.query().forward(inputs).mmul(v2.key().forward(inputs).transpose()).div(Math.sqrt(2));
        assertClose(Book.causalWeightsV2(), CausalMasking.weights(scores), 1e-4, "weights(scores) for the book's scores");
    }

    @Test
    @Hint(value = "Mask first, then a softmax that stays finite for large scores: what do the rows look like for scores of 100?",
        full = "add additiveMask(tokens) to the scores (it broadcasts over a batch), subtract each row's max, Transforms.exp (exp(-inf) is 0), divide by the row sum. Softmax.lastAxis refuses infinite scores.")
    @Points(1)
    @DisplayName("a batch of two random [5, 5] score matrices, with scores of 60 to 140")
    void batch() {
        // 60 to 140: exp of these overflows float32 (above e^88), so only weights computed with each row's
        // maximum subtracted stay finite.
        INDArray scores = Seeded.array(31, 2, 5, 5).mul(40).add(100);
        double[][][] s = Values.of3(scores);
        double[][][] expected = {Loops.causalSoftmaxRows(s[0]), Loops.causalSoftmaxRows(s[1])};
        assertClose(new long[] {2, 5, 5}, Loops.flatten(expected), CausalMasking.weights(scores), 1e-5,
            "weights(scores) for scores [2, 5, 5]");
    }
}
