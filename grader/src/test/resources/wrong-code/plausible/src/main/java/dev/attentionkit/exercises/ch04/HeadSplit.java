package dev.attentionkit.exercises.ch04;

import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 4.1 reshapes without the permute; 4.2 reshapes without the permute
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
        long b = x.size(0);
        long t = x.size(1);
        long hs = x.size(2) / numHeads;
        return x.dup('c')
            .reshape('c', b, numHeads, t, hs);      // a reshape alone mixes tokens and heads
    }

    /**
     * Exercise 4.2.
     *
     * @param heads {@code [B, nh, T, hs]}
     * @return {@code [B, T, nh · hs]}: element {@code [b, t, h·hs + i]} is {@code heads[b, h, t, i]}
     */
    public static INDArray merge(INDArray heads) {
        long b = heads.size(0);
        long nh = heads.size(1);
        long t = heads.size(2);
        long hs = heads.size(3);
        return heads.dup('c').reshape('c', b, t, nh * hs);   // a reshape alone mixes heads and tokens            // [B, T, C]
    }
}
