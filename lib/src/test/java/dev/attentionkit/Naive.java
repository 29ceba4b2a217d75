package dev.attentionkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.nn.TorchRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Independent reference arithmetic for the tests: plain Java loops over doubles, written from the formulas,
 * sharing no code with the library. Expected values come from here or from the book, never from the library.
 */
public final class Naive {
    private Naive() {}

    /** Uniform values in [-1, 1) from a fixed seed, float32. */
    public static INDArray random(long seed, long... shape) {
        return TorchRandom.manualSeed(seed).uniform(-1, 1, shape);
    }

    /** Every value in row-major order, as doubles. */
    public static double[] flat(INDArray x) {
        return x.castTo(DataType.DOUBLE).dup('c').reshape(x.length()).toDoubleVector();
    }

    public static double[][][] of3(INDArray x) {
        long[] s = x.shape();
        double[] flat = x.castTo(DataType.DOUBLE).dup('c').reshape(x.length()).toDoubleVector();
        double[][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]];
        int i = 0;
        for (double[][] m : out) {
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = flat[i++];
                }
            }
        }
        return out;
    }

    public static double[][] of2(INDArray x) {
        return x.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    public static boolean[][][] bools(INDArray keep) {
        double[][][] d = of3(keep.castTo(DataType.DOUBLE));
        boolean[][][] out = new boolean[d.length][d[0].length][d[0][0].length];
        for (int b = 0; b < d.length; b++) {
            for (int i = 0; i < d[b].length; i++) {
                for (int j = 0; j < d[b][i].length; j++) {
                    out[b][i][j] = d[b][i][j] != 0;
                }
            }
        }
        return out;
    }

    public static double dot(double[] a, double[] b) {
        assertEquals(a.length, b.length, "dot: lengths");
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** {@code W · x} for {@code W [out][in]} (PyTorch layout), plus an optional bias. */
    public static double[] linear(double[][] w, double[] bias, double[] x) {
        double[] y = new double[w.length];
        for (int o = 0; o < w.length; o++) {
            y[o] = dot(w[o], x) + (bias == null ? 0 : bias[o]);
        }
        return y;
    }

    /** Applies {@link #linear} to every row. */
    public static double[][] linearRows(double[][] w, double[] bias, double[][] x) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            y[t] = linear(w, bias, x[t]);
        }
        return y;
    }

    /** Softmax of one row over the kept entries; masked entries get 0; no kept entry gives all zeros. */
    public static double[] maskedSoftmax(double[] scores, boolean[] keep) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < scores.length; j++) {
            if (keep == null || keep[j]) {
                max = Math.max(max, scores[j]);
            }
        }
        double[] w = new double[scores.length];
        double sum = 0;
        for (int j = 0; j < scores.length; j++) {
            if (keep == null || keep[j]) {
                w[j] = Math.exp(scores[j] - max);
                sum += w[j];
            }
        }
        for (int j = 0; j < w.length; j++) {
            w[j] = sum == 0 ? 0 : w[j] / sum;
        }
        return w;
    }

    /** Weights and context of one sequence: softmax(score · scale) over kept keys, then the weighted sum. */
    public static double[][][] attention(double[][] q, double[][] k, double[][] v, boolean[][] keep, double scale) {
        double[][] weights = new double[q.length][];
        double[][] context = new double[q.length][v[0].length];
        for (int i = 0; i < q.length; i++) {
            double[] scores = new double[k.length];
            for (int j = 0; j < k.length; j++) {
                scores[j] = dot(q[i], k[j]) * scale;
            }
            weights[i] = maskedSoftmax(scores, keep == null ? null : keep[i]);
            for (int j = 0; j < k.length; j++) {
                for (int d = 0; d < v[j].length; d++) {
                    context[i][d] += weights[i][j] * v[j][d];
                }
            }
        }
        return new double[][][] {context, weights};
    }

    /** Columns {@code from..to-1} of every row. */
    public static double[][] columns(double[][] x, int from, int to) {
        double[][] out = new double[x.length][to - from];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], from, out[i], 0, to - from);
        }
        return out;
    }

    public static void assertClose(double[][] expected, INDArray actual, double tol, String what) {
        double[][] got = of2(actual);
        assertEquals(expected.length, got.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got[i], tol, what + ", row " + i);
        }
    }

    public static void assertClose(double[][][] expected, INDArray actual, double tol, String what) {
        double[][][] got = of3(actual);
        assertEquals(expected.length, got.length, what + ": batch");
        for (int b = 0; b < expected.length; b++) {
            for (int i = 0; i < expected[b].length; i++) {
                assertArrayEquals(expected[b][i], got[b][i], tol, what + ", batch " + b + ", row " + i);
            }
        }
    }
}
