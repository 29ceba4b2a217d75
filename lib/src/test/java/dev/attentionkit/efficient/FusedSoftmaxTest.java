package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Fused softmax: mask by position, one pass per row")
class FusedSoftmaxTest {

    /** Plain double softmax of row i over the keys j with keyStart + j visible from queryStart + i. */
    static double[][] expected(double[][] s, long queryStart, long keyStart, boolean causal, int window) {
        return Loops.maskedSoftmaxRows(s, (i, j) -> sees(queryStart + i, keyStart + j, causal, window));
    }

    static boolean sees(long q, long k, boolean causal, int window) {
        return (!causal || k <= q) && Math.abs(q - k) < window;
    }

    static INDArray scores(long seed, int rows, int cols) {
        return Seeded.array(seed, rows, cols).muli(6);      // scores of a few units, as scaled dot products give
    }

    @ParameterizedTest(name = "queries from {0}, keys from {1}, causal {2}, window {3}")
    @CsvSource({"0, 0, false, 2147483647", "0, 0, true, 2147483647", "40, 0, true, 2147483647", "40, 32, true, 2147483647",
                "40, 32, false, 5", "40, 32, true, 5", "0, 50, true, 2147483647", "100, 0, false, 33"})
    @DisplayName("equals the plain double softmax over the visible keys; rows that see none are zeros")
    void equalsPlainSoftmax(long queryStart, long keyStart, boolean causal, int window) {
        INDArray s = scores(1, 17, 45);
        double[][] want = expected(s.toDoubleMatrix(), queryStart, keyStart, causal, window);
        FusedSoftmax.softmaxInPlace(s, queryStart, keyStart, causal, window);
        Check.assertClose(want, s.toDoubleMatrix(), 1e-6, "float32");
        INDArray d = scores(1, 17, 45).castTo(DataType.DOUBLE);
        FusedSoftmax.softmaxInPlace(d, queryStart, keyStart, causal, window);
        Check.assertClose(want, d.toDoubleMatrix(), 1e-12, "float64");
    }

    @Test
    @DisplayName("works on a block of a larger array and leaves everything around it untouched")
    void viewInsideLargerArray() {
        INDArray big = scores(2, 30, 80);
        INDArray before = big.dup();
        INDArray view = big.get(interval(5, 25), interval(10, 50));        // offset and row stride of the parent
        double[][] want = expected(view.toDoubleMatrix(), 12, 0, true, FusedSoftmax.NO_WINDOW);
        FusedSoftmax.softmaxInPlace(view, 12, 0, true);
        Check.assertClose(want, big.get(interval(5, 25), interval(10, 50)).toDoubleMatrix(), 1e-6, "view");
        INDArray changed = big.sub(before);
        changed.get(interval(5, 25), interval(10, 50)).assign(0);
        assertEquals(0.0, changed.amaxNumber().doubleValue(), "elements outside the view changed");
    }

    @Test
    @DisplayName("the Vector API rows and the plain rows agree within float rounding, at every length and offset")
    void vectorAndScalarRowsAgree() {
        FusedSoftmax.FloatRows vector = new VectorRows(), scalar = new ScalarRows();
        Random random = new Random(3);
        for (int n = 0; n < 70; n++) {
            for (int from : new int[] {0, 1, 7}) {
                float[] a = new float[from + n], b = new float[from + n];
                for (int i = 0; i < a.length; i++) {
                    a[i] = b[i] = (float) (random.nextGaussian() * 4);
                }
                int to = from + n;
                assertEquals(scalar.max(b, from, to), vector.max(a, from, to), "max, n " + n);
                double sumV = vector.expMinus(a, from, to, 1.5f), sumS = scalar.expMinus(b, from, to, 1.5f);
                assertEquals(sumS, sumV, 1e-5 * Math.max(1, sumS), "sum, n " + n);
                vector.scale(a, from, to, 0.25f);
                scalar.scale(b, from, to, 0.25f);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 2e-7 * Math.max(1, Math.abs(b[i])), "n " + n + ", entry " + i);
                }
            }
        }
    }

    @Test
    @DisplayName("the build and ./kit start the JVM with the Vector API, so the fast rows are the ones in use")
    void vectorisedInThisBuild() {
        assertTrue(FusedSoftmax.vectorised(), "the JVM lacks --add-modules jdk.incubator.vector");
    }

    @ParameterizedTest(name = "key tiles of {0}, causal {1}")
    @CsvSource({"1, true", "7, true", "16, false", "40, true", "40, false"})
    @DisplayName("online steps over key tiles, then normalise: softmax(s) · V, from an accumulator full of NaN")
    void onlineStepsEqualSoftmaxTimesValues(int tileKeys, boolean causal) {
        int queries = 12, keys = 40, dV = 5;
        long queryStart = 28;                                    // the last 12 of 40 tokens
        INDArray s = scores(4, queries, keys), v = Seeded.array(5, keys, dV);
        double[][] weights = expected(s.toDoubleMatrix(), queryStart, 0, causal, FusedSoftmax.NO_WINDOW);
        double[][] want = Loops.matmul(weights, v.toDoubleMatrix());
        INDArray acc = Nd4j.valueArrayOf(new long[] {queries, dV}, Double.NaN, DataType.FLOAT);
        FusedSoftmax.Running running = new FusedSoftmax.Running(queries);
        for (int ks = 0; ks < keys; ks += tileKeys) {
            int ke = Math.min(keys, ks + tileKeys);
            INDArray tile = s.get(all(), interval(ks, ke)).dup();
            FusedSoftmax.onlineStepInPlace(tile, acc, queryStart, ks, causal, running);
            acc.addi(tile.mmul(v.get(interval(ks, ke), all())));
        }
        running.normalise(acc);
        Check.assertClose(want, acc.toDoubleMatrix(), 1e-5, "online");
        for (int r = 0; r < queries; r++) {
            assertTrue(running.sum(r) >= 1.0, "the row's maximum contributes exp(0) = 1 to its sum");
        }
    }

    @Test
    @DisplayName("bad tiles are rejected with a message that names the problem")
    void rejects() {
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
            () -> FusedSoftmax.softmaxInPlace(Seeded.array(1, 2, 3, 4), 0, 0, true));
        assertTrue(rank.getMessage().contains("[2, 3, 4]"), rank.getMessage());
        IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
            () -> FusedSoftmax.softmaxInPlace(Seeded.array(1, 6, 4).transpose(), 0, 0, true));
        assertTrue(strided.getMessage().contains("stride 1"), strided.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
            () -> FusedSoftmax.softmaxInPlace(Nd4j.zeros(DataType.INT, 2, 2), 0, 0, true));
        assertTrue(type.getMessage().contains("INT"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FusedSoftmax.softmaxInPlace(scores(1, 2, 2), 0, 0, true, 0));
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
            () -> new FusedSoftmax.Running(3).normalise(Seeded.array(1, 4, 2)));
        assertTrue(rows.getMessage().contains("3 query rows, got 4"), rows.getMessage());
        assertArrayEquals(new long[] {2, 2}, scores(1, 2, 2).shape());
    }
}
