package dev.attentionkit.mask;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The causal (look-ahead) mask of a decoder: query i may attend to keys {@code 0..i} only, so a token never
 * sees the tokens after it (book section 3.5.1).
 *
 * <pre>
 * tokens = 4     1...
 *                11..
 *                111.
 *                1111
 * </pre>
 */
public final class CausalMask {
    private CausalMask() {}

    /** {@code [tokens, tokens]}: key j visible to query i iff {@code j <= i} ({@code torch.tril(ones)}). */
    public static Mask of(long tokens) {
        return Mask.ofPattern(tokens, new MaskPattern(true, MaskPattern.NO_WINDOW));   // carries its pattern
    }

    /**
     * {@code [queries, keys]}: key j visible to query i iff {@code j <= i}, aligned at the first token, as
     * {@code torch.tril(torch.ones(queries, keys))} and {@code is_causal=True} do.
     */
    public static Mask of(long queries, long keys) {
        requirePositive(queries, keys);
        boolean[][] keep = new boolean[(int) queries][(int) keys];
        for (int i = 0; i < queries; i++) {
            for (int j = 0; j < keys && j <= i; j++) {
                keep[i][j] = true;
            }
        }
        return Mask.of(keep);
    }

    /**
     * The buffer the book registers: {@code torch.triu(torch.ones(tokens, tokens), diagonal=1)}, float,
     * {@code 1} above the diagonal = future token = hidden. {@code Mask.of(buffer).not()} is {@link #of(long)}.
     *
     * @return {@code [tokens, tokens]} float
     */
    public static INDArray bookBuffer(long tokens) {
        requirePositive(tokens, tokens);
        float[][] m = new float[(int) tokens][(int) tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = i + 1; j < tokens; j++) {
                m[i][j] = 1f;
            }
        }
        return Nd4j.createFromArray(m);
    }

    static void requirePositive(long queries, long keys) {
        if (queries <= 0 || keys <= 0) {
            throw new IllegalArgumentException(
                "mask size must be positive, got queries=" + queries + ", keys=" + keys);
        }
    }
}
