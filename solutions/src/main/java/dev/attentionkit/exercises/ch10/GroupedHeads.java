package dev.attentionkit.exercises.ch10;

/**
 * Exercise 10.4 — which key/value head does a query head read?
 *
 * <p>In grouped-query attention, {@code queryHeads} query heads share {@code kvHeads} key/value heads in equal,
 * consecutive groups: with 9 query heads and 3 key/value heads, query heads 0, 1, 2 read kv head 0, heads
 * 3, 4, 5 read kv head 1, and 6, 7, 8 read kv head 2. With as many kv heads as query heads this is ordinary
 * multi-head attention; with one kv head it is multi-query attention.
 */
public final class GroupedHeads {
    private GroupedHeads() {}

    /**
     * @param queryHead  {@code 0 <= queryHead < queryHeads}
     * @param queryHeads a multiple of {@code kvHeads}
     * @param kvHeads    at least 1
     * @return the key/value head that {@code queryHead} reads
     */
    public static int kvHead(int queryHead, int queryHeads, int kvHeads) {
        return queryHead / (queryHeads / kvHeads);
    }
}
