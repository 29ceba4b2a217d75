package dev.attentionkit.exercises.ch06;

import java.util.Comparator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 6.1 — which keys does each query attend to most?
 *
 * <p>Reading attention starts with this question. For each row of a weights matrix, return the positions of
 * its {@code k} largest weights, largest first. When two weights are equal, the smaller key position comes
 * first.
 *
 * <pre>
 * weights row [0.1, 0.5, 0.1, 0.3], k = 2   →   [1, 3]
 * </pre>
 */
public final class TopKeys {
    private TopKeys() {}

    /**
     * @param weights {@code [queries, keys]}
     * @param k       how many keys per query, {@code 1 <= k <= keys}
     * @return {@code [queries][k]}: key positions (0-based), largest weight first
     */
    public static int[][] topK(INDArray weights, int k) {
        // BEGIN SOLUTION 6.1
        double[][] w = weights.toDoubleMatrix();
        int[][] top = new int[w.length][];
        for (int i = 0; i < w.length; i++) {
            double[] row = w[i];
            top[i] = IntStream.range(0, row.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(j -> -row[j]))   // stable: tied keys stay in order
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
        }
        return top;
        // END SOLUTION
    }
}
