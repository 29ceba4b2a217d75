package dev.attentionkit.exercises.ch06;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.tensor.Softmax;
import dev.attentionkit.testkit.Seeded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("6.1 Top-k keys per query")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.viz.*",
    "*#topK",
    "*#top_k",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.TopK"})
class TopKeysTest {

    @Test
    @Hint(value = "What order do tied keys come in?",
        full = "sort the key positions 0..keys-1 of each row by descending weight (a stable sort keeps tied keys in order) and keep the first k.")
    @Points(1)
    @DisplayName("by hand, with a tie: the smaller key position comes first")
    void byHand() {
        INDArray weights = Nd4j.createFromArray(new float[][] {
            {0.1f, 0.5f, 0.1f, 0.3f},
            {0.25f, 0.25f, 0.25f, 0.25f},
            {0.0f, 0.2f, 0.0f, 0.8f}});
        int[][] expected = {{1, 3}, {0, 1}, {3, 1}};
        check(expected, TopKeys.topK(weights, 2), "topK(weights [3, 4], k = 2)");
    }

    @Test
    @Hint(value = "What order do tied keys come in?",
        full = "sort the key positions 0..keys-1 of each row by descending weight (a stable sort keeps tied keys in order) and keep the first k.")
    @Points(1)
    @DisplayName("softmax weights of random scores [6, 8], k = 3 and k = 8")
    void random() {
        INDArray weights = Softmax.lastAxis(Seeded.matrix(90, 6, 8).mul(4));
        check(reference(weights.toDoubleMatrix(), 3), TopKeys.topK(weights, 3), "topK(weights [6, 8], k = 3)");
        check(reference(weights.toDoubleMatrix(), 8), TopKeys.topK(weights, 8), "topK(weights [6, 8], k = 8)");
    }

    /** Selection by repeated scanning: pick the largest unused weight, the first one on a tie. */
    private static int[][] reference(double[][] w, int k) {
        int[][] top = new int[w.length][k];
        for (int i = 0; i < w.length; i++) {
            boolean[] used = new boolean[w[i].length];
            for (int r = 0; r < k; r++) {
                int best = -1;
                for (int j = 0; j < w[i].length; j++) {
                    if (!used[j] && (best < 0 || w[i][j] > w[i][best])) {
                        best = j;
                    }
                }
                used[best] = true;
                top[i][r] = best;
            }
        }
        return top;
    }

    private static void check(int[][] expected, int[][] actual, String what) {
        assertNotNull(actual, what + " returned null");
        assertEquals(expected.length, actual.length,
            what + ": expected one row per query (" + expected.length + "), got " + actual.length);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            if (!Arrays.equals(expected[i], actual[i])) {
                wrong.add(String.format("query %d: expected %s, got %s", i, Arrays.toString(expected[i]), Arrays.toString(actual[i])));
            }
        }
        assertEquals(List.of(), wrong, what + ": wrong key positions");
    }
}
