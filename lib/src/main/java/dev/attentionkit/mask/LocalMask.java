package dev.attentionkit.mask;

/**
 * Sliding-window (local) attention: each query sees only the keys near it, as in Longformer and Mistral.
 * Two forms: {@link #window} looks both ways ({@code |i - j| < w}, an encoder's local attention);
 * {@link #causalWindow} looks back only ({@code i - w < j <= i}: the query and the {@code w - 1} tokens before it,
 * a decoder's sliding window, Mistral's {@code W}).
 *
 * <p>One convention across the kit: a window {@code w} is how many positions a query reaches in one direction,
 * itself included, so {@code w = 1} is the query alone. {@link dev.attentionkit.efficient.SlidingWindowAttention},
 * exercise 9.1 and chapters 05 and 09 use the same.
 *
 * <pre>
 * window(5, 2)    causalWindow(5, 2)
 * 11...           1....
 * 111..           11...
 * .111.           .11..
 * ..111           ..11.
 * ...11           ...11
 * </pre>
 */
public final class LocalMask {
    private LocalMask() {}

    /** {@code [tokens, tokens]}: key j visible to query i iff {@code |i - j| < width}; {@code width >= 1}. */
    public static Mask window(long tokens, long width) {
        return build(tokens, width, false);
    }

    /** {@code [tokens, tokens]}: key j visible to query i iff {@code i - width < j <= i}; {@code width >= 1}. */
    public static Mask causalWindow(long tokens, long width) {
        return build(tokens, width, true);
    }

    private static Mask build(long tokens, long width, boolean causal) {
        if (width < 1) {
            throw new IllegalArgumentException("window width must be >= 1 (1 = the query alone), got " + width);
        }
        // A window wider than the sequence reaches every key: the same as no window.
        int w = width >= tokens ? MaskPattern.NO_WINDOW : (int) width;
        return Mask.ofPattern(tokens, new MaskPattern(causal, w));
    }
}
