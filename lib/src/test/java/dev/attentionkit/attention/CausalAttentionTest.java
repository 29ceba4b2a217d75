package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("CausalAttention")
class CausalAttentionTest {
    private static final double TOL = 1e-5;

    @ParameterizedTest(name = "qkvBias = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("agrees with a naive loop: projections, causal masked softmax over q·k/sqrt(dOut), weighted sum")
    void againstNaive(boolean qkvBias) {
        CausalAttention ca = CausalAttention.fromSeed(5, 3, 8, 0.0, qkvBias, 42);
        INDArray x = Seeded.array(1, 2, 7, 5);
        AttentionOutput out = ca.attend(x);
        double[][][] xs = Values.of3(x);
        for (int b = 0; b < 2; b++) {
            double[][] q = project(ca.query(), xs[b]);
            double[][] k = project(ca.key(), xs[b]);
            double[][] v = project(ca.value(), xs[b]);
            boolean[][] causal = new boolean[7][7];
            for (int i = 0; i < 7; i++) {
                for (int j = 0; j <= i; j++) {
                    causal[i][j] = true;
                }
            }
            Loops.Attended expected = Loops.attend(q, k, v, Loops.Keep.of(causal), 1 / Math.sqrt(3));
            Check.assertClose(expected.context(), out.context().slice(b), TOL, "context " + b);
            Check.assertClose(expected.weights(), out.weights().slice(b), TOL, "weights " + b);
        }
    }

    @Test
    @DisplayName("no weight on future tokens, and every row sums to 1")
    void causalWeights() {
        double[][][] w = Values.of3(CausalAttention.fromSeed(4, 4, 10, 0.0, false, 1).attend(Seeded.array(2, 3, 10, 4))
            .weights());
        for (double[][] m : w) {
            for (int i = 0; i < m.length; i++) {
                double sum = 0;
                for (int j = 0; j < m[i].length; j++) {
                    if (j > i) {
                        assertEquals(0.0, m[i][j], 0.0, "future key " + j + " of query " + i);
                    }
                    sum += m[i][j];
                }
                assertEquals(1.0, sum, 1e-6, "row " + i);
            }
        }
    }

    @Test
    @DisplayName("dropout 0.5 in training zeroes weights and doubles the rest; context still equals weights · values")
    void dropoutOnWeights() {
        CausalAttention ca = CausalAttention.fromSeed(4, 4, 16, 0.5, false, 3);
        INDArray x = Seeded.array(4, 16, 4);
        AttentionOutput train = ca.attend(x);
        CausalAttention noDropout = CausalAttention.fromLayers(ca.query(), ca.key(), ca.value(), 16, null);
        double[][] clean = Values.of2(noDropout.attend(x).weights());
        double[][] dropped = Values.of2(train.weights());
        int zeroed = 0;
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j <= i; j++) {
                if (dropped[i][j] == 0) {
                    zeroed++;
                } else {
                    assertEquals(2 * clean[i][j], dropped[i][j], 1e-6);
                }
            }
        }
        assertTrue(zeroed > 30 && zeroed < 106, "about half of the 136 visible weights dropped, got " + zeroed);
        double[][] v = project(ca.value(), Values.of2(x));
        double[][] expected = new double[16][4];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                for (int d = 0; d < 4; d++) {
                    expected[i][d] += dropped[i][j] * v[j][d];
                }
            }
        }
        Check.assertClose(expected, train.context(), TOL, "context");
        Check.assertClose(clean, ca.eval().attend(x).weights(), 0.0, "eval mode has no dropout");
    }

    @Test
    @DisplayName("[tokens, dIn] input gives the batch element's result without the batch axis")
    void unbatched() {
        CausalAttention ca = CausalAttention.fromSeed(3, 2, 6, 0.0, false, 123);
        INDArray x = Seeded.array(5, 6, 3);
        INDArray one = ca.forward(x);
        assertArrayEquals(new long[] {6, 2}, one.shape());
        assertArrayEquals(Values.flat(ca.forward(x.reshape(1, 6, 3))), Values.flat(one), 1e-7);
    }

    @Test
    @DisplayName("a padding mask combines with the causal one; a query with nothing to see gets a zero context")
    void withPadding() {
        CausalAttention ca = CausalAttention.fromSeed(3, 2, 6, 0.0, false, 9);
        AttentionOutput out = ca.attend(Seeded.array(6, 2, 6, 3), PaddingMask.validLengths(6, 6, 4, 0));
        double[][][] w = Values.of3(out.weights());
        for (int i = 0; i < 6; i++) {
            for (int j = 4; j < 6; j++) {
                assertEquals(0.0, w[0][i][j], 0.0);
            }
        }
        assertFalse(out.context().isNaN().any());
        assertEquals(0.0, out.context().slice(1).norm1Number().doubleValue(), 0.0, "all keys padded");
    }

    @Test
    @DisplayName("more tokens than contextLength is rejected with both numbers")
    void contextLength() {
        CausalAttention ca = CausalAttention.fromSeed(3, 2, 4, 0.0, false, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ca.forward(Seeded.array(1, 5, 3)));
        assertTrue(e.getMessage().contains("[5, 3]") && e.getMessage().contains("contextLength = 4"), e.getMessage());
    }

    @Test
    @DisplayName("parameters: three dIn×dOut matrices, plus biases with qkvBias")
    void parameterCount() {
        assertEquals(3 * 5 * 3, CausalAttention.fromSeed(5, 3, 8, 0.0, false, 0).parameterCount());
        assertEquals(3 * (5 * 3 + 3), CausalAttention.fromSeed(5, 3, 8, 0.0, true, 0).parameterCount());
    }

    static double[][] project(dev.attentionkit.nn.Linear layer, double[][] x) {
        double[] bias = layer.bias().map(Values::flat).orElse(null);
        return Loops.linear(x, Values.of2(layer.weight()), bias);
    }
}
