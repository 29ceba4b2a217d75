package dev.attentionkit.exercises.ch10;

/**
 * Exercise 10.4 — which key/value head does a query head read in grouped-query attention?
 *
 * <p>{@code queryHeads} query heads share {@code kvHeads} key/value heads in equal, <em>consecutive</em> groups
 * of {@code queryHeads / kvHeads}: SmolLM2 has 9 query heads and 3 key/value heads, so query heads 0, 1, 2 read
 * key/value head 0, heads 3, 4, 5 read head 1, and 6, 7, 8 read head 2. With as many key/value heads as query
 * heads this is ordinary multi-head attention; with one it is multi-query attention. The KV cache stores only the
 * {@code kvHeads}: a third of multi-head attention's size for SmolLM2.
 */
public final class GroupedHeads {
    private GroupedHeads() {}

    /**
     * @param queryHead  the query head, {@code 0 <= queryHead < queryHeads}
     * @param queryHeads how many query heads, a multiple of {@code kvHeads}
     * @param kvHeads    how many key/value heads, at least 1
     * @return the key/value head that {@code queryHead} reads, {@code 0 <= result < kvHeads}
     * @throws IllegalArgumentException if {@code kvHeads < 1}, {@code queryHeads} is not a positive multiple of
     *                                  {@code kvHeads}, or {@code queryHead} is outside {@code 0..queryHeads-1}
     */
    public static int kvHead(int queryHead, int queryHeads, int kvHeads) {
        // TODO Exercise 10.4: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 10.4 is not done yet");
    }
}
