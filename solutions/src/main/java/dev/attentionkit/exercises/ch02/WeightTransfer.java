package dev.attentionkit.exercises.ch02;

import dev.attentionkit.attention.SelfAttentionV1;
import dev.attentionkit.attention.SelfAttentionV2;

/**
 * Exercise 2.2 — move the weights of a {@code SelfAttentionV2} into a {@code SelfAttentionV1}
 * (the book's exercise 3.1).
 *
 * <p>V2 stores each projection as a linear layer with PyTorch's layout {@code [dOut, dIn]} and applies
 * it as {@code x · Wᵀ}; V1 stores {@code [dIn, dOut]} and applies {@code x · W}. The two modules must
 * then give the same outputs for every input.
 */
public final class WeightTransfer {
    private WeightTransfer() {}

    /** A {@link SelfAttentionV1} that computes exactly what {@code v2} computes (v2 has no biases). */
    public static SelfAttentionV1 toV1(SelfAttentionV2 v2) {
        // BEGIN SOLUTION 2.2
        return SelfAttentionV1.fromWeights(
            v2.query().weight().transpose(),   // [dOut, dIn] -> [dIn, dOut]
            v2.key().weight().transpose(),
            v2.value().weight().transpose());
        // END SOLUTION
    }
}
