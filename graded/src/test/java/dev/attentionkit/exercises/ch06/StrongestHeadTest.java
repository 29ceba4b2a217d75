package dev.attentionkit.exercises.ch06;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.tensor.Softmax;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("6.3 Which head links query i to key j most")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.viz.*"})
class StrongestHeadTest {

    @Test
    @Hint(value = "On a tie, which head wins?",
        full = "loop over the heads and keep the one with the largest weights.getDouble(h, query, key); only a strictly larger weight replaces the best so far.")
    @Points(1)
    @DisplayName("by hand: 3 heads, 2 queries, 2 keys, and a tie goes to the lower head")
    void byHand() {
        INDArray weights = Nd4j.createFromArray(new float[][][] {
            {{0.9f, 0.1f}, {0.5f, 0.5f}},
            {{0.2f, 0.8f}, {0.3f, 0.7f}},
            {{0.6f, 0.4f}, {0.3f, 0.7f}}});
        assertEquals(0, HeadStatistics.strongestHead(weights, 0, 0), "strongestHead(weights, query 0, key 0)");
        assertEquals(1, HeadStatistics.strongestHead(weights, 0, 1), "strongestHead(weights, query 0, key 1)");
        assertEquals(1, HeadStatistics.strongestHead(weights, 1, 1),
            "strongestHead(weights, query 1, key 1): heads 1 and 2 tie at 0.7, so the lower head");
    }

    @Test
    @Hint(value = "On a tie, which head wins?",
        full = "loop over the heads and keep the one with the largest weights.getDouble(h, query, key); only a strictly larger weight replaces the best so far.")
    @Points(1)
    @DisplayName("every (query, key) pair of random weights [4 heads, 5 queries, 5 keys]")
    void random() {
        INDArray weights = Softmax.lastAxis(Seeded.array(92, 4, 5, 5).mul(3));
        double[][][] w = Values.of3(weights);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                int best = 0;
                for (int h = 1; h < 4; h++) {
                    if (w[h][i][j] > w[best][i][j]) {
                        best = h;
                    }
                }
                assertEquals(best, HeadStatistics.strongestHead(weights, i, j),
                    String.format("strongestHead(weights, query %d, key %d): weights per head %.4f, %.4f, %.4f, %.4f",
                        i, j, w[0][i][j], w[1][i][j], w[2][i][j], w[3][i][j]));
            }
        }
    }
}
