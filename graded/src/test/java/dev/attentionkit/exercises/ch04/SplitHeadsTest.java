package dev.attentionkit.exercises.ch04;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("4.1 Split the features into heads")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.Heads",
    "dev.attentionkit.attention.MultiHeadAttention",
    "dev.attentionkit.attention.FusedQkvAttention",
    "dev.attentionkit.attention.QkvAttention",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.train.*"})
class SplitHeadsTest {

    @Test
    @Hint(value = "A reshape alone keeps the memory order: are the tokens and heads on the right axes afterwards?",
        full = "reshape('c', B, T, nh, hs), then permute(0, 2, 1, 3), then dup('c').")
    @Points(1)
    @DisplayName("[2, 6, 4] into 2 heads gives [2, 2, 6, 2]")
    void bookSizes() {
        check(2, 6, 4, 2);
    }

    @Test
    @Hint(value = "A reshape alone keeps the memory order: are the tokens and heads on the right axes afterwards?",
        full = "reshape('c', B, T, nh, hs), then permute(0, 2, 1, 3), then dup('c').")
    @Points(1)
    @DisplayName("[3, 5, 12] into 3 heads and into 4 heads")
    void otherSizes() {
        check(3, 5, 12, 3);
        check(3, 5, 12, 4);
    }

    /** Expected: heads[b, h, t, i] = x[b, t, h·hs + i], by plain loops. */
    private static void check(int batch, int tokens, int features, int heads) {
        INDArray x = Seeded.array(40 + features, batch, tokens, features);
        double[] xs = x.dup('c').reshape(x.length()).toDoubleVector();
        int hs = features / heads;
        double[] expected = new double[xs.length];
        int n = 0;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < tokens; t++) {
                    for (int i = 0; i < hs; i++) {
                        expected[n++] = xs[(b * tokens + t) * features + h * hs + i];
                    }
                }
            }
        }
        assertClose(new long[] {batch, heads, tokens, hs}, expected, HeadSplit.split(x, heads), 1e-7,
            String.format("split(x [%d, %d, %d], numHeads = %d)", batch, tokens, features, heads));
    }
}
