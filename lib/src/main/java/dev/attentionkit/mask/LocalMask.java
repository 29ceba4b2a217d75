package dev.attentionkit.mask;

/**
 * Sliding-window (local) attention: each query sees only the keys near it, as in Longformer and Mistral.
 * Two forms: {@link #window} looks both ways ({@code |i - j| <= w}, an encoder's local attention);
 * {@link #causalWindow} looks back only ({@code i - w <= j <= i}, a decoder's sliding window).
 *
 * <pre>
 * window(5, 1)    causalWindow(5, 1)
 * 11...           1....
 * 111..           11...
 * .111.           .11..
 * ..111           ..11.
 * ...11           ...11
 * </pre>
 */
public final class LocalMask {
    private LocalMask() {}

    /** {@code [tokens, tokens]}: key j visible to query i iff {@code |i - j| <= width}. */
    public static Mask window(long tokens, long width) {
        return build(tokens, width, false);
    }

    /** {@code [tokens, tokens]}: key j visible to query i iff {@code i - width <= j <= i}. */
    public static Mask causalWindow(long tokens, long width) {
        return build(tokens, width, true);
    }

    private static Mask build(long tokens, long width, boolean causal) {
        CausalMask.requirePositive(tokens, tokens);
        if (width < 0) {
            throw new IllegalArgumentException("window width must be >= 0, got " + width);
        }
        boolean[][] keep = new boolean[(int) tokens][(int) tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                keep[i][j] = causal ? (j <= i && i - j <= width) : Math.abs(i - j) <= width;
            }
        }
        return Mask.of(keep);
    }
}
