package dev.attentionkit.exercises;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Assertions and plain-Java reference computations shared by the graded tests.
 *
 * <p>The references are written with double loops, independently of the library, so an exercise is
 * checked against arithmetic a learner can follow line by line. Failure messages say what was
 * expected and what came back, with shapes, because that is what a learner needs to fix it.
 */
public final class Graded {
    private Graded() {}

    /** Fails with "expected shape ... got ..." when the shapes differ, else with the first wrong element. */
    public static void assertClose(double[][] expected, INDArray actual, double tolerance, String what) {
        if (actual == null) {
            fail(what + ": expected an array of shape [" + expected.length + ", " + expected[0].length + "], got null");
        }
        long[] shape = {expected.length, expected[0].length};
        if (!Arrays.equals(shape, actual.shape())) {
            fail(String.format("%s: expected shape %s, got %s", what, Arrays.toString(shape), Arrays.toString(actual.shape())));
        }
        double[][] got = actual.toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                if (!(Math.abs(expected[i][j] - got[i][j]) <= tolerance)) {
                    fail(String.format(Locale.ROOT, "%s: element [%d, %d] should be %.4f but was %.4f%n expected row %d: %s%n actual row   %d: %s",
                        what, i, j, expected[i][j], got[i][j], i, row(expected[i]), i, row(got[i])));
                }
            }
        }
    }

    /** Vector form of {@link #assertClose(double[][], INDArray, double, String)}. */
    public static void assertClose(double[] expected, INDArray actual, double tolerance, String what) {
        if (actual == null) {
            fail(what + ": expected an array of shape [" + expected.length + "], got null");
        }
        if (actual.rank() != 1 || actual.length() != expected.length) {
            fail(String.format("%s: expected shape [%d], got %s", what, expected.length, Arrays.toString(actual.shape())));
        }
        double[] got = actual.toDoubleVector();
        for (int j = 0; j < expected.length; j++) {
            if (!(Math.abs(expected[j] - got[j]) <= tolerance)) {
                fail(String.format(Locale.ROOT, "%s: element [%d] should be %.4f but was %.4f%n expected: %s%n actual:   %s",
                    what, j, expected[j], got[j], row(expected), row(got)));
            }
        }
    }

    /** A reproducible random matrix with entries in [-1, 1), float32 like the course's data. */
    public static INDArray randomMatrix(long seed, int rows, int cols) {
        Random random = new Random(seed);
        float[][] m = new float[rows][cols];
        for (float[] r : m) {
            for (int j = 0; j < cols; j++) {
                r[j] = random.nextFloat() * 2 - 1;
            }
        }
        return Nd4j.createFromArray(m);
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

    /** Softmax of each row, computed in double with the max subtracted. */
    public static double[][] softmaxRows(double[][] scores) {
        double[][] w = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            double max = Arrays.stream(scores[i]).max().orElse(0);
            double[] e = Arrays.stream(scores[i]).map(s -> Math.exp(s - max)).toArray();
            double sum = Arrays.stream(e).sum();
            w[i] = Arrays.stream(e).map(v -> v / sum).toArray();
        }
        return w;
    }

    /** {@code softmax(Q Kᵀ / sqrt(d)) V} with Q = X Wq, K = X Wk, V = X Wv, all in double. */
    public static double[][] selfAttention(double[][] x, double[][] wq, double[][] wk, double[][] wv) {
        double[][] q = matmul(x, wq);
        double[][] k = matmul(x, wk);
        double[][] v = matmul(x, wv);
        double[][] scores = matmul(q, transpose(k));
        double scale = Math.sqrt(k[0].length);
        for (double[] r : scores) {
            for (int j = 0; j < r.length; j++) {
                r[j] /= scale;
            }
        }
        return matmul(softmaxRows(scores), v);
    }

    private static String row(double[] r) {
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < r.length; j++) {
            s.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", r[j]));
        }
        return s.append(']').toString();
    }
}
