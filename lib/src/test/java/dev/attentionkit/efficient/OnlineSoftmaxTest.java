package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Online softmax")
class OnlineSoftmaxTest {

    @ParameterizedTest(name = "key blocks of {0}")
    @ValueSource(ints = {1, 3, 4, 12})
    @DisplayName("folding key blocks one by one gives softmax(scores) · values, computed in plain loops")
    void blocksGiveTheFullSoftmax(int block) {
        INDArray scores = Seeded.array(1, 5, 12).muli(6);   // [5, 12], wide spread: the max moves
        INDArray values = Seeded.array(2, 12, 3);
        OnlineSoftmax.State state = OnlineSoftmax.State.start(5, 3);
        for (int s = 0; s < 12; s += block) {
            int e = Math.min(12, s + block);
            state = OnlineSoftmax.update(state, scores.get(all(), interval(s, e)), values.get(interval(s, e), all()));
        }
        double[][] s = scores.toDoubleMatrix(), v = values.toDoubleMatrix();
        double[][] expected = new double[5][];
        for (int i = 0; i < 5; i++) {
            expected[i] = new double[3];
            double[] w = Loops.softmax(s[i]);
            for (int j = 0; j < 12; j++) {
                for (int y = 0; y < 3; y++) {
                    expected[i][y] += w[j] * v[j][y];
                }
            }
        }
        Check.assertClose(expected, state.output().toDoubleMatrix(), 1e-5, "output");
        for (int i = 0; i < 5; i++) {
            double max = java.util.Arrays.stream(s[i]).max().orElseThrow();
            assertEquals(max, state.m().getDouble(i, 0), 1e-5, "m is the row maximum");
        }
    }

    @Test
    @DisplayName("update returns a new state and leaves its arguments unchanged")
    void pure() {
        OnlineSoftmax.State start = OnlineSoftmax.State.start(3, 4);
        INDArray scores = Seeded.array(3, 3, 5), copy = scores.dup();
        OnlineSoftmax.State next = OnlineSoftmax.update(start, scores, Seeded.array(4, 5, 4));
        assertEquals(copy, scores);
        assertTrue(Double.isInfinite(start.m().getDouble(0, 0)) && start.l().sumNumber().doubleValue() == 0);
        assertTrue(next.l().minNumber().doubleValue() > 0);
    }

    @Test
    @DisplayName("-inf scores are masked keys; a row fully masked so far stays empty instead of NaN")
    void maskedKeys() {
        INDArray scores = Seeded.array(5, 2, 4);
        scores.putScalar(new long[] {0, 0}, Double.NEGATIVE_INFINITY);
        scores.getRow(1).assign(Double.NEGATIVE_INFINITY);   // row 1: nothing allowed yet
        INDArray values = Seeded.array(6, 4, 2);
        OnlineSoftmax.State state = OnlineSoftmax.update(OnlineSoftmax.State.start(2, 2), scores, values);
        assertEquals(0.0, state.l().getDouble(1, 0));
        assertEquals(0.0, state.acc().getRow(1).sumNumber().doubleValue());
        state = OnlineSoftmax.update(state, Seeded.array(7, 2, 3), Seeded.array(8, 3, 2));
        assertTrue(Double.isFinite(state.output().sumNumber().doubleValue()));
    }

    @Test
    @DisplayName("mismatched shapes and NaN scores are rejected with the shapes in the message")
    void rejects() {
        OnlineSoftmax.State state = OnlineSoftmax.State.start(2, 3);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
            () -> OnlineSoftmax.update(state, Seeded.array(1, 2, 4), Seeded.array(2, 5, 3)));
        assertTrue(wrong.getMessage().contains("[2, 4]") && wrong.getMessage().contains("[5, 3]"), wrong.getMessage());
        INDArray nan = Seeded.array(1, 2, 4);
        nan.putScalar(0, Double.NaN);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> OnlineSoftmax.update(state, nan, Seeded.array(2, 4, 3)));
        assertTrue(error.getMessage().contains("NaN"), error.getMessage());
    }
}
