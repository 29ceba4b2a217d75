package dev.attentionkit.exercises.ch04;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("4.2 Merge the heads back")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.Heads",
    "dev.attentionkit.attention.MultiHeadAttention",
    "dev.attentionkit.attention.FusedQkvAttention",
    "dev.attentionkit.attention.QkvAttention",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.train.*"})
class MergeHeadsTest {

    @Test
    @Hint(value = "Which axes must swap back before the heads can be glued together?",
        full = "permute(0, 2, 1, 3) first, dup('c') so the memory follows the new order, then reshape('c', B, T, nh * hs).")
    @Points(1)
    @DisplayName("[2, 2, 6, 2] gives [2, 6, 4]")
    void bookSizes() {
        check(2, 2, 6, 2);
    }

    @Test
    @Hint(value = "Which axes must swap back before the heads can be glued together?",
        full = "permute(0, 2, 1, 3) first, dup('c') so the memory follows the new order, then reshape('c', B, T, nh * hs).")
    @Points(1)
    @DisplayName("[1, 4, 3, 5] gives [1, 3, 20]")
    void otherSizes() {
        check(1, 4, 3, 5);
    }

    /** Expected: merged[b, t, h·hs + i] = heads[b, h, t, i], by plain loops. */
    private static void check(int batch, int heads, int tokens, int hs) {
        INDArray x = Seeded.array(50 + heads, batch, heads, tokens, hs);
        double[] xs = x.dup('c').reshape(x.length()).toDoubleVector();
        double[] expected = new double[xs.length];
        int n = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < hs; i++) {
                        expected[n++] = xs[((b * heads + h) * tokens + t) * hs + i];
                    }
                }
            }
        }
        assertClose(new long[] {batch, tokens, (long) heads * hs}, expected, HeadSplit.merge(x), 1e-7,
            String.format("merge(heads [%d, %d, %d, %d])", batch, heads, tokens, hs));
    }
}
