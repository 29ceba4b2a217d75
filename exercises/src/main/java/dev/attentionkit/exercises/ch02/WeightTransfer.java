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
        // TODO Exercise 2.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 2.2 is not done yet");
    }
}
