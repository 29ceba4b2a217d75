package dev.attentionkit.exercises.ch09;

// WRONG ON PURPOSE (grader fixture): 9.1 window + 1 wide (<= instead of <)
/**
 * Exercise 9.1 — the sliding-window (local) attention pattern.
 *
 * <p>With a window of {@code w}, query {@code i} may attend to key {@code j} when they are less than
 * {@code w} positions apart: {@code |i - j| < w} (so {@code w = 1} means "only itself"). In the causal
 * form a query looks back only: {@code i - w < j <= i}. Each query then sees at most {@code 2w - 1} keys
 * ({@code w} when causal) instead of all of them, which is what makes local attention O(n·w).
 */
public final class SlidingWindowMask {
    private SlidingWindowMask() {}

    /**
     * @param tokens how many tokens the sequence has (queries and keys alike)
     * @param window the window {@code w}, at least 1
     * @param causal whether queries may only look back
     * @return {@code [tokens][tokens]}: {@code true} where query {@code i} (row) may attend to key {@code j} (column)
     */
    public static boolean[][] mask(int tokens, int window, boolean causal) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        boolean[][] keep = new boolean[tokens][tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                keep[i][j] = Math.abs(i - j) <= window && (!causal || j <= i);
            }
        }
        return keep;
    }
}
