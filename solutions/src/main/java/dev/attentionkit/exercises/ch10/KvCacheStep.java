package dev.attentionkit.exercises.ch10;

import java.util.Arrays;

/**
 * Exercise 10.3 — one step of a KV cache: append, then attend.
 *
 * <p>When a decoder generates token {@code n}, the keys and values of tokens {@code 0..n-1} are already in the
 * cache. One step appends the new token's key and value, then lets the new query attend to every cached key, its
 * own included. No mask is needed: everything in the cache is in the past (or is the token itself).
 *
 * <pre>
 * keys    = append(keys, newKey)                     [n, d]  → [n + 1, d]
 * values  = append(values, newValue)                 [n, dV] → [n + 1, dV]
 * context = attend(query, keys, values):
 *   s_j     = query · keys_j / sqrt(d)               for every cached key j
 *   w_j     = exp(s_j - max_j s_j) / Σ_j exp(s_j - max_j s_j)
 *   context = Σ_j w_j · values_j                     [dV]
 * </pre>
 *
 * Done for every token in turn, this gives exactly causal attention over the whole sequence, but each step
 * computes one row of it instead of all of them. Write it with plain loops: the chapter's {@code LlamaDecoder} and
 * the course's attention classes are the library's version.
 */
public final class KvCacheStep {
    private KvCacheStep() {}

    /**
     * @param cache the cached rows, {@code [n, d]} ({@code n} may be 0); left unchanged
     * @param row   the new token's key (or value), {@code [d]}
     * @return a new cache {@code [n + 1, d]}: the old rows in order, then {@code row}
     * @throws IllegalArgumentException if the cache is not empty and {@code row} is not as long as its rows
     */
    public static double[][] append(double[][] cache, double[] row) {
        // BEGIN SOLUTION 10.3
        if (cache.length > 0 && row.length != cache[0].length) {
            throw new IllegalArgumentException("KV cache: the new row has " + row.length + " features, the cached rows "
                + cache[0].length);
        }
        double[][] grown = Arrays.copyOf(cache, cache.length + 1);   // the old rows, and room for one more
        grown[cache.length] = row;
        return grown;
        // END SOLUTION
    }

    /**
     * @param query  the new token's query, {@code [d]}
     * @param keys   every cached key, the new token's included, {@code [n, d]}
     * @param values every cached value, {@code [n, dV]}
     * @return the new token's context vector, {@code [dV]}
     * @throws IllegalArgumentException if the cache is empty, {@code keys} and {@code values} differ in length, or
     *                                  a key is not as long as {@code query}
     */
    public static double[] attend(double[] query, double[][] keys, double[][] values) {
        // BEGIN SOLUTION 10.3
        if (keys.length == 0) {
            throw new IllegalArgumentException("KV cache: nothing is cached; append the new token's key and value first");
        }
        if (keys.length != values.length) {
            throw new IllegalArgumentException("KV cache: " + keys.length + " keys but " + values.length + " values");
        }
        int n = keys.length;
        double[] scores = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (keys[j].length != query.length) {
                throw new IllegalArgumentException("KV cache: key " + j + " has " + keys[j].length + " features, the query "
                    + query.length);
            }
            double dot = 0;
            for (int f = 0; f < query.length; f++) {
                dot += query[f] * keys[j][f];
            }
            scores[j] = dot / Math.sqrt(query.length);
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            scores[j] = Math.exp(scores[j] - max);           // minus the largest: no overflow for large scores
            sum += scores[j];
        }
        double[] context = new double[values[0].length];
        for (int j = 0; j < n; j++) {
            double w = scores[j] / sum;
            for (int f = 0; f < context.length; f++) {
                context[f] += w * values[j][f];
            }
        }
        return context;
        // END SOLUTION
    }
}
