package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Linear attention, φ(x) = elu(x) + 1")
class LinearAttentionTest {

    static double phi(double x) {
        return x > 0 ? x + 1 : Math.exp(x);
    }

    /** Causal linear attention as an RNN: running sums S = Σ φ(k)ᵀv and z = Σ φ(k), one token at a time. */
    static double[][] cumulativeSums(double[][] q, double[][] k, double[][] v, boolean causal) {
        int n = q.length, d = q[0].length, dV = v[0].length;
        double[][] out = new double[n][dV];
        double[][] s = new double[d][dV];
        double[] z = new double[d];
        if (!causal) {
            for (int j = 0; j < n; j++) {
                accumulate(k[j], v[j], s, z);
            }
        }
        for (int i = 0; i < n; i++) {
            if (causal) {
                accumulate(k[i], v[i], s, z);
            }
            double den = 0;
            for (int x = 0; x < d; x++) {
                den += phi(q[i][x]) * z[x];
                for (int y = 0; y < dV; y++) {
                    out[i][y] += phi(q[i][x]) * s[x][y];
                }
            }
            for (int y = 0; y < dV; y++) {
                out[i][y] /= den;
            }
        }
        return out;
    }

    private static void accumulate(double[] k, double[] v, double[][] s, double[] z) {
        for (int x = 0; x < k.length; x++) {
            z[x] += phi(k[x]);
            for (int y = 0; y < v.length; y++) {
                s[x][y] += phi(k[x]) * v[y];
            }
        }
    }

    @ParameterizedTest(name = "chunk {0}")
    @ValueSource(ints = {1, 7, 64, 100})
    @DisplayName("causal equals the running-sum (cumulative) reference in plain loops, whatever the chunk size")
    void causalEqualsRunningSums(int chunk) {
        INDArray q = Seeded.array(1, 2, 90, 6).muli(2), k = Seeded.array(2, 2, 90, 6).muli(2), v = Seeded.array(3, 2, 90, 4);
        INDArray out = LinearAttention.apply(q, k, v, true, chunk);
        assertArrayEquals(new long[] {2, 90, 4}, out.shape());
        for (int b = 0; b < 2; b++) {
            Check.assertClose(cumulativeSums(q.slice(b).toDoubleMatrix(), k.slice(b).toDoubleMatrix(), v.slice(b).toDoubleMatrix(), true),
                out.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @Test
    @DisplayName("non-causal equals the global-sum reference; query i alone is unchanged by later tokens only when causal")
    void nonCausal() {
        INDArray q = Seeded.array(4, 30, 6), k = Seeded.array(5, 30, 6), v = Seeded.array(6, 30, 4);
        Check.assertClose(cumulativeSums(q.toDoubleMatrix(), k.toDoubleMatrix(), v.toDoubleMatrix(), false),
            LinearAttention.apply(q, k, v, false).toDoubleMatrix(), 1e-5, "non-causal");
        INDArray first = LinearAttention.apply(q, k, v, true).getRow(0);
        // Token 0 sees only itself: its output is its own value.
        assertTrue(first.equalsWithEps(v.getRow(0), 1e-5), first + " vs " + v.getRow(0));
    }

    @Test
    @DisplayName("the feature map is positive and equals elu(x) + 1")
    void featureMap() {
        INDArray x = Seeded.array(7, 5, 5).muli(10);
        INDArray f = LinearAttention.featureMap(x);
        assertTrue(f.minNumber().doubleValue() > 0);
        assertEquals(phi(x.getDouble(3)), f.getDouble(3), 1e-5);
    }

    @Test
    @DisplayName("bad shapes and a bad chunk are rejected")
    void rejects() {
        INDArray x = Seeded.array(1, 10, 4);
        assertThrows(IllegalArgumentException.class, () -> LinearAttention.apply(x, x, x, true, 0));
        assertThrows(IllegalArgumentException.class, () -> LinearAttention.apply(x, Seeded.array(2, 11, 4), Seeded.array(3, 11, 4), true));
        assertThrows(IllegalArgumentException.class, () -> LinearAttention.apply(x, x, Seeded.array(3, 9, 4), false));
    }
}
