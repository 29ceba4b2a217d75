package dev.attentionkit.testkit;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The tests' one source of random inputs: {@link java.util.Random} streams from a seed each test names, mixed with
 * the run seed the grader chooses, so an answer hard-coded for one run fails the next while the expected values,
 * computed by {@link Loops} from the same inputs, follow. Without a run seed (every plain Maven run: lib's tests and
 * the graded tests on the solutions) the inputs are the same on every run.
 */
public final class Seeded {
    /**
     * The system property through which the grader passes the seed it chose for this run (the grader's
     * {@code GradedSeed.PROPERTY} names the same property).
     */
    public static final String SEED_PROPERTY = "attentionkit.graded.seed";

    /** This run's seed (see {@link #SEED_PROPERTY}); 0 when none was given. */
    public static final long RUN_SEED = Long.getLong(SEED_PROPERTY, 0L);

    private Seeded() {}

    /**
     * A generator for the test's own {@code seed} mixed with this run's seed: the same stream for the same pair, a
     * different one when the grader picks another run seed. Run seed 0 gives {@code new Random(seed)}.
     */
    public static Random random(long seed) {
        return new Random(RUN_SEED == 0 ? seed : seed * 0x9E3779B97F4A7C15L ^ RUN_SEED);
    }

    /** A random {@code [rows, cols]} float32 matrix with entries uniform in [-1, 1). */
    public static INDArray matrix(long seed, int rows, int cols) {
        Random random = random(seed);
        float[][] m = new float[rows][cols];
        for (float[] r : m) {
            for (int j = 0; j < cols; j++) {
                r[j] = random.nextFloat() * 2 - 1;
            }
        }
        return Nd4j.createFromArray(m);
    }

    /** A random float32 array of any shape, entries uniform in [-1, 1), drawn in row-major order. */
    public static INDArray array(long seed, long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Seeded.array: negative size " + d + " in the shape");
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Seeded.array: " + n + " entries is more than a test needs");
        }
        Random random = random(seed);
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return Nd4j.createFromArray(values).reshape('c', shape);
    }

    /** {@code [rows][cols]} doubles uniform in [lo, hi) from {@code random}, row by row ({@code Random.doubles}). */
    public static double[][] uniform(Random random, double lo, double hi, int rows, int cols) {
        double[][] x = new double[rows][];
        for (int i = 0; i < rows; i++) {
            x[i] = random.doubles(cols, lo, hi).toArray();
        }
        return x;
    }

    /** {@code [a][b][c]} doubles uniform in [lo, hi) from {@code random}, row by row. */
    public static double[][][] uniform(Random random, double lo, double hi, int a, int b, int c) {
        double[][][] x = new double[a][][];
        for (int i = 0; i < a; i++) {
            x[i] = uniform(random, lo, hi, b, c);
        }
        return x;
    }

    /** {@code [rows][cols]} normal draws times {@code scale} from {@code random}, in row-major order. */
    public static double[][] gaussian(Random random, double scale, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] r : m) {
            for (int j = 0; j < cols; j++) {
                r[j] = random.nextGaussian() * scale;
            }
        }
        return m;
    }
}
