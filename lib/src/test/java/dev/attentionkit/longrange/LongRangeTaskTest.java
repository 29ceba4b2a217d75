package dev.attentionkit.longrange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Long-range task and classifiers")
class LongRangeTaskTest {

    @Test
    @DisplayName("the marker sits just before the deciding value, distance tokens from the end, nowhere else")
    void generator() {
        for (LongRangeExample e : LongRangeTask.mixed(300, 12, 1)) {
            int[] t = e.tokens();
            assertEquals(12, t.length);
            int p = e.valuePosition();
            assertEquals(11 - e.distance(), p);
            assertEquals(LongRangeTask.MARKER, t[p - 1]);
            assertEquals(1 + e.label(), t[p]);
            for (int i = 0; i < t.length; i++) {
                if (i != p - 1) {
                    assertEquals(true, t[i] != LongRangeTask.MARKER, "one marker only");
                }
            }
        }
        assertEquals(LongRangeTask.mixed(50, 12, 9), LongRangeTask.mixed(50, 12, 9), "same seed, same data");
        Map<Integer, List<LongRangeExample>> byDistance = LongRangeTask.atDistances(5, 12, new int[] {0, 10}, 2);
        assertEquals(10, byDistance.get(10).get(0).distance());
        assertArrayEquals(new int[] {0, 1, 2, 4, 8, 10}, LongRangeTask.testDistances(12));
        assertThrows(IllegalArgumentException.class, () -> LongRangeTask.example(12, 11, new Random(1)));
    }

    @Test
    @DisplayName("a few Adam steps lower the loss; pruning heads leaves the weights as they were")
    void classifier() {
        LongRangeConfig c = new LongRangeConfig(10, 8, 2, 64, 10, 16, 1, 0.01, 3);
        List<LongRangeExample> data = LongRangeTask.mixed(64, 10, 4);
        for (ClassifierKind kind : ClassifierKind.values()) {
            LongRangeClassifier m = LongRangeClassifier.create(kind, c);
            double before = m.loss(data);
            for (int i = 0; i < 10; i++) {
                m.fitBatch(data);
            }
            double after = m.loss(data);
            assertEquals(true, after < before, kind + ": loss " + before + " → " + after);
        }
        LongRangeClassifier t = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, c);
        assertArrayEquals(new long[] {2, 10, 10}, t.blockWeights(data.get(0)).shape());
        INDArray w = t.attentionWeights(data.get(0));
        assertArrayEquals(new long[] {10}, w.shape());
        assertEquals(1.0, w.sumNumber().doubleValue(), 1e-5, "pooling weights sum to 1");
        double full = t.loss(data);
        double[] pruned = t.evaluateWithout(Set.of(0), data);
        assertEquals(true, pruned[0] != full, "pruning changes the loss");
        assertEquals(full, t.evaluateWithout(Set.of(), data)[0], 1e-6, "weights restored");
        assertEquals(full, t.loss(data), 1e-6, "weights restored");
        assertThrows(IllegalArgumentException.class, () -> LongRangeClassifier.create(ClassifierKind.TRANSFORMER,
            c.withHeads(3)));
    }
}
