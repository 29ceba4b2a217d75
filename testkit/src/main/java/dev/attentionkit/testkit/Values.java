package dev.attentionkit.testkit;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An ND4J array's numbers as plain Java arrays of doubles, for {@link Loops} (reading only, no arithmetic). */
public final class Values {
    private Values() {}

    /** Every value in row-major order. */
    public static double[] flat(INDArray x) {
        return x.castTo(DataType.DOUBLE).dup('c').reshape(x.length()).toDoubleVector();
    }

    /** A matrix {@code [rows, cols]}. */
    public static double[][] of2(INDArray x) {
        return x.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /** A rank-3 array {@code [a, b, c]}. */
    public static double[][][] of3(INDArray x) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("Values.of3: expected a rank-3 array, got shape "
                + java.util.Arrays.toString(x.shape()));
        }
        long[] s = x.shape();
        double[] flat = flat(x);
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

    /** Sequence {@code index} of a {@code [batch, tokens, d]} array (a rank-2 array is its own only sequence). */
    public static double[][] sequence(INDArray x, int index) {
        return x.rank() == 2 ? of2(x) : of2(x.slice(index));
    }

    /** A rank-3 mask as booleans: true where the value is not 0. */
    public static boolean[][][] bools(INDArray keep) {
        double[][][] d = of3(keep);
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
}
