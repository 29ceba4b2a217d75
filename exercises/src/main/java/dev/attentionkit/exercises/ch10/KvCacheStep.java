package dev.attentionkit.exercises.ch10;

import java.util.List;

/**
 * Exercise 10.3 — one step of a KV cache.
 *
 * <p>When a decoder generates token n, the keys and values of tokens 0..n-1 are already in the cache. One step
 * appends the new token's key and value, then lets the new query attend to every cached key (no mask is needed:
 * all of them are in the past):
 *
 * <pre>
 * keys.add(newKey); values.add(newValue)
 * w_j = softmax_j(query · keys_j / sqrt(d))
 * context = Σ_j w_j · values_j
 * </pre>
 */
public final class KvCacheStep {
    private KvCacheStep() {}

    /**
     * @param query    the new token's query, {@code d} features
     * @param keys     the cached keys, each {@code d} features; the new key is appended to it
     * @param values   the cached values, each {@code dv} features; the new value is appended to it
     * @param newKey   the new token's key
     * @param newValue the new token's value
     * @return the context vector, {@code dv} features
     */
    public static double[] step(double[] query, List<double[]> keys, List<double[]> values, double[] newKey,
                                double[] newValue) {
        // TODO Exercise 10.3: replace this line with your code.
        // Hint: append first, then scores q·k/sqrt(d) over all keys, a softmax (subtract the largest score), and the weighted sum of the values.
        throw new UnsupportedOperationException("Exercise 10.3 is not done yet");
    }
}
