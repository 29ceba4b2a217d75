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
        // TODO Exercise 10.3: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 10.3 is not done yet");
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
        // TODO Exercise 10.3: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 10.3 is not done yet");
    }
}
