package dev.attentionkit;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain-Java double-precision reference arithmetic for the unit tests: independent of ND4J and of the
 * library, so the library is checked against loops anyone can read.
 */
public final class Reference {
    private Reference() {}

    public static INDArray random(long seed, int... shape) {
        Random random = new Random(seed);
        float[] values = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return Nd4j.createFromArray(values).reshape(Arrays.stream(shape).asLongStream().toArray());
    }

    public static double[][] matmul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int k = 0; k < b.length; k++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    public static double[] softmax(double[] row) {
        double max = Arrays.stream(row).max().orElseThrow();
        double[] e = Arrays.stream(row).map(v -> Math.exp(v - max)).toArray();
        double sum = Arrays.stream(e).sum();
        return Arrays.stream(e).map(v -> v / sum).toArray();
    }

    /** {@code softmax(q kᵀ / sqrt(d)) v} for one sequence. */
    public static double[][] attention(double[][] q, double[][] k, double[][] v) {
        double[][] scores = matmul(q, transpose(k));
        double[][] weights = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            double[] row = scores[i].clone();
            for (int j = 0; j < row.length; j++) {
                row[j] /= Math.sqrt(q[0].length);
            }
            weights[i] = softmax(row);
        }
        return matmul(weights, v);
    }

    /** {@code x · wᵀ + b} with {@code w [out, in]}. */
    public static double[][] linear(double[][] x, double[][] w, double[] b) {
        double[][] y = matmul(x, transpose(w));
        if (b != null) {
            for (double[] row : y) {
                for (int j = 0; j < row.length; j++) {
                    row[j] += b[j];
                }
            }
        }
        return y;
    }

    public static void assertClose(double[][] expected, INDArray actual, double tolerance) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            new long[] {expected.length, expected[0].length}, actual.shape(), "shape");
        double[][] got = actual.toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected[i], got[i], tolerance, "row " + i);
        }
    }
}
