package dev.attentionkit.exercises.ch10;

/**
 * Exercise 10.2 — rotate one head's query (or key) with rotary position embedding (RoPE), as SmolLM2 does.
 *
 * <p>RoPE treats the {@code d} features of a head as {@code d / 2} pairs {@code (x[2i], x[2i+1])} (the adjacent
 * pairs of llama.cpp's GGUF layout) and turns pair {@code i} by the angle {@code a = position · θ_i}, with
 * {@code θ_i = base^(-2i / d)}: pair 0 turns by one radian per position, later pairs ever more slowly.
 *
 * <pre>
 * x'[2i]   = x[2i] · cos(a) - x[2i+1] · sin(a)
 * x'[2i+1] = x[2i] · sin(a) + x[2i+1] · cos(a)        a = position · base^(-2i / d)
 * </pre>
 *
 * Because the query at position m and the key at position n are both rotated, their dot product depends only on
 * {@code m - n}: a key cached once never has to be rotated again. Write the loop yourself: the chapter's
 * {@code RotaryEmbedding} is the library's version.
 */
public final class Rope {
    private Rope() {}

    /**
     * @param x        one head's query or key, {@code [d]} with {@code d} even and at least 2 (left unchanged)
     * @param position the token's position in the sequence, from 0
     * @param base     the frequency base, e.g. 10000 (SmolLM2: 100000)
     * @return the rotated copy, {@code [d]}
     * @throws IllegalArgumentException if {@code d} is odd or 0, {@code position} is negative, or {@code base}
     *                                  is not a positive number
     */
    public static double[] rotate(double[] x, int position, double base) {
        // TODO Exercise 10.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 10.2 is not done yet");
    }
}
