package dev.attentionkit.exercises;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 1.1 a Graded.java of its own (the name of the tests' former helper), whose assertClose accepts anything, in the tests' root package
/**
 * Assertions and plain-Java reference computations shared by the graded tests.
 *
 * <p>The references are written with double loops, independently of the library, so an exercise is
 * checked against arithmetic a learner can follow line by line. Failure messages say what was
 * expected and what came back, with shapes, because that is what a learner needs to fix it.
 */
public final class Graded {
    /**
     * The system property through which the grader passes the seed it chose for this run. Every random input of
     * the graded tests is drawn from it, so answers hard-coded for one run fail the next; the expected values
     * always come from the plain-loop references below. Without it (a plain Maven run) the seed is 0 and the
     * inputs are the same on every run.
     */
    public static final String SEED_PROPERTY = "attentionkit.graded.seed";

    /** This run's seed (see {@link #SEED_PROPERTY}). */
    public static final long RUN_SEED = Long.getLong(SEED_PROPERTY, 0L);

    private Graded() {}

    /**
     * A generator for the test's own {@code seed} mixed with this run's seed: the same stream for the same
     * pair, a different one when the grader picks another run seed. Seed 0 gives {@code new Random(seed)}.
     */
    public static Random random(long seed) {
        return new Random(RUN_SEED == 0 ? seed : seed * 0x9E3779B97F4A7C15L ^ RUN_SEED);
    }

    /** Fails with "expected shape ... got ..." when the shapes differ, else with the first wrong element. */
    public static void assertClose(double[][] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }

    /** Vector form of {@link #assertClose(double[][], INDArray, double, String)}. */
    public static void assertClose(double[] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }

    /** A reproducible random matrix with entries in [-1, 1), float32 like the course's data. */
    public static INDArray randomMatrix(long seed, int rows, int cols) {
        Random random = random(seed);
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
        return matmul(softmaxRows(scaledScores(x, wq, wk)), matmul(x, wv));
    }

    /** {@code (X Wq)(X Wk)ᵀ / sqrt(dK)}, in double. */
    public static double[][] scaledScores(double[][] x, double[][] wq, double[][] wk) {
        double[][] k = matmul(x, wk);
        double[][] scores = matmul(matmul(x, wq), transpose(k));
        double scale = Math.sqrt(k[0].length);
        for (double[] r : scores) {
            for (int j = 0; j < r.length; j++) {
                r[j] /= scale;
            }
        }
        return scores;
    }

    /**
     * Any-rank form of {@link #assertClose(double[][], INDArray, double, String)}: {@code expected} holds the
     * values in row-major order for an array of shape {@code shape}. A failure names the first wrong
     * element by its full index and prints the last axis around it.
     */
    public static void assertClose(long[] shape, double[] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }

    /** The entries of a rank-3 array {@code [a][b][c]} in row-major order. */
    public static double[] flatten(double[][][] a) {
        return Arrays.stream(a).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream).toArray();
    }

    /** The entries of a matrix in row-major order. */
    public static double[] flatten(double[][] a) {
        return Arrays.stream(a).flatMapToDouble(Arrays::stream).toArray();
    }

    /** A reproducible random array with entries in [-1, 1), float32, of any shape. */
    public static INDArray randomArray(long seed, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return randomMatrix(seed, 1, (int) n).reshape('c', shape);
    }

    /** A rank-3 INDArray as nested double arrays {@code [a][b][c]}. */
    public static double[][][] toDouble3(INDArray x) {
        double[][][] out = new double[(int) x.size(0)][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.slice(i).toDoubleMatrix();
        }
        return out;
    }

    /**
     * Causal softmax of each row: row i is the softmax of its entries {@code 0..i}, and 0 after i
     * (the future). Plain loops in double.
     */
    public static double[][] causalSoftmaxRows(double[][] scores) {
        double[][] w = new double[scores.length][scores[0].length];
        for (int i = 0; i < scores.length; i++) {
            int visible = Math.min(i + 1, scores[i].length);
            double[] weights = softmaxRows(new double[][] {Arrays.copyOf(scores[i], visible)})[0];
            System.arraycopy(weights, 0, w[i], 0, visible);
        }
        return w;
    }

    /**
     * Softmax of each row over its first {@code validLength} entries, 0 for the rest; a row with
     * {@code validLength == 0} is all zeros.
     */
    public static double[][] validLengthSoftmaxRows(double[][] scores, int validLength) {
        double[][] w = new double[scores.length][scores[0].length];
        if (validLength == 0) {
            return w;
        }
        for (int i = 0; i < scores.length; i++) {
            double[] weights = softmaxRows(new double[][] {Arrays.copyOf(scores[i], validLength)})[0];
            System.arraycopy(weights, 0, w[i], 0, validLength);
        }
        return w;
    }

    /**
     * Causal {@code softmax(mask(Q Kᵀ / sqrt(d))) V} with Q = X Wq, K = X Wk, V = X Wv ({@code W [dIn, dOut]}),
     * in double: one head of the book's {@code CausalAttention} without dropout.
     */
    public static double[][] causalSelfAttention(double[][] x, double[][] wq, double[][] wk, double[][] wv) {
        return matmul(causalSoftmaxRows(scaledScores(x, wq, wk)), matmul(x, wv));
    }

    private static String index(long[] shape, int flat) {
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(idx);
    }

    private static String prefix(long[] shape, int flat) {
        String full = index(shape, flat);
        int cut = full.lastIndexOf(',');
        return cut < 0 ? "[:]" : full.substring(0, cut) + ", :]";
    }

    private static String row(double[] r) {
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < r.length; j++) {
            s.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", r[j]));
        }
        return s.append(']').toString();
    }
}
