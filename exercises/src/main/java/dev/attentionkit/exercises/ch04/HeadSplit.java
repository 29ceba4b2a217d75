package dev.attentionkit.exercises.ch04;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercises 4.1 and 4.2 — splitting the features into heads and merging them back (book section 3.6.2,
 * nanoGPT's {@code view} and {@code transpose}).
 *
 * <p>With {@code B} sequences of {@code T} tokens and {@code C = nh · hs} features, head {@code h} owns the
 * features {@code h·hs .. (h+1)·hs - 1} of every token:
 *
 * <pre>
 * split:  [B, T, C] --reshape--> [B, T, nh, hs] --permute(0, 2, 1, 3)--> [B, nh, T, hs]
 * merge:  [B, nh, T, hs] --permute(0, 2, 1, 3)--> [B, T, nh, hs] --reshape--> [B, T, C]
 * </pre>
 *
 * {@code merge(split(x, nh))} is {@code x} again.
 */
public final class HeadSplit {
    private HeadSplit() {}

    /**
     * Exercise 4.1.
     *
     * @param x        {@code [B, T, C]}
     * @param numHeads {@code nh}, divides {@code C}
     * @return {@code [B, nh, T, hs]} with {@code hs = C / nh}: element {@code [b, h, t, i]} is
     *         {@code x[b, t, h·hs + i]}
     */
    public static INDArray split(INDArray x, int numHeads) {
        // TODO Exercise 4.1: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 4.1 is not done yet");
    }

    /**
     * Exercise 4.2.
     *
     * @param heads {@code [B, nh, T, hs]}
     * @return {@code [B, T, nh · hs]}: element {@code [b, t, h·hs + i]} is {@code heads[b, h, t, i]}
     */
    public static INDArray merge(INDArray heads) {
        // TODO Exercise 4.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 4.2 is not done yet");
    }
}
