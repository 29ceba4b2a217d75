package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.BiPredicate;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Plain-Java double loops for attention with an arbitrary mask, independent of ND4J and the library. */
final class MaskedReference {
    private MaskedReference() {}

    /** {@code softmax(q kᵀ / sqrt(d) + mask) v} for one sequence; {@code allowed(i, j)} says which keys count. */
    static double[][] attention(double[][] q, double[][] k, double[][] v, BiPredicate<Integer, Integer> allowed) {
        int n = q.length, m = k.length, d = q[0].length, dV = v[0].length;
        double[][] out = new double[n][dV];
        for (int i = 0; i < n; i++) {
            double[] s = new double[m];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                if (!allowed.test(i, j)) {
                    s[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                for (int x = 0; x < d; x++) {
                    s[j] += q[i][x] * k[j][x];
                }
                s[j] /= Math.sqrt(d);
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j < m; j++) {
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = 0; j < m; j++) {
                for (int y = 0; y < dV; y++) {
                    out[i][y] += s[j] / sum * v[j][y];
                }
            }
        }
        return out;
    }

    /** Sequence {@code index} of a {@code [batch, tokens, d]} array, as doubles. */
    static double[][] sequence(INDArray x, int index) {
        return x.rank() == 2 ? x.toDoubleMatrix() : x.slice(index).toDoubleMatrix();
    }

    static void assertClose(double[][] expected, double[][] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], tolerance, what + ", row " + i);
        }
    }
}
