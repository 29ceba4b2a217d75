package dev.attentionkit.exercises.ch04;

/**
 * Exercise 4.4 — count the parameters of {@code MultiHeadAttention(dIn, dOut, ..., qkvBias)} (book
 * section 3.6.2 and its exercise 3.3), without building it.
 *
 * <p>Three projections {@code dIn → dOut} (query, key, value), each a weight {@code [dOut, dIn]} plus a bias
 * {@code [dOut]} if {@code qkvBias}, and an output projection {@code dOut → dOut} that always has a bias. The
 * number of heads does not change the count: the heads share these matrices.
 */
public final class ParameterCount {
    private ParameterCount() {}

    /** The number of trainable numbers, e.g. 2,360,064 for GPT-2 small (768, 768, no qkv bias). */
    public static long multiHeadAttention(long dIn, long dOut, boolean qkvBias) {
        // TODO Exercise 4.4: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 4.4 is not done yet");
    }
}
