package dev.attentionkit.mask;

/**
 * What a mask is, when it has a structure the fast attention code can apply by position instead of reading a
 * {@code [queries, keys]} array: causal ({@code j <= i}), a window ({@code |i - j| < window}), or both (a causal
 * window, {@code i - window < j <= i}). {@link CausalMask} and {@link LocalMask} make masks that carry their
 * pattern; {@link Mask#and} of two patterned square masks keeps it; any other mask has none.
 *
 * @param causal whether key j is hidden from query i for every {@code j > i}
 * @param window how many positions a query reaches, itself included ({@link #NO_WINDOW}: no limit)
 */
public record MaskPattern(boolean causal, int window) {
    /** The window of a mask without one. */
    public static final int NO_WINDOW = Integer.MAX_VALUE;

    public MaskPattern {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1 (1 = the query alone), got " + window);
        }
    }

    /** Whether the pattern limits how far a query reaches. */
    public boolean hasWindow() {
        return window != NO_WINDOW;
    }

    /** Both patterns at once: causal if either is, the narrower window. */
    MaskPattern and(MaskPattern other) {
        return new MaskPattern(causal || other.causal, Math.min(window, other.window));
    }

    /** Whether query i may attend to key j under this pattern. */
    public boolean keeps(long i, long j) {
        return (!causal || j <= i) && Math.abs(i - j) < window;
    }
}
