package dev.attentionkit.exercises.ch08;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 8.2 — layer normalisation over the last axis, as PyTorch's {@code nn.LayerNorm}: each row of
 * {@code x} is normalised on its own,
 *
 * <pre>
 * mean = average of the row                    (d values)
 * var  = average of (x - mean)²                biased: divide by d, not d - 1
 * y    = (x - mean) / sqrt(var + eps) · gamma + beta
 * </pre>
 */
public final class LayerNormalization {
    private LayerNormalization() {}

    /**
     * @param x     {@code [rows, d]}
     * @param gamma {@code [d]}
     * @param beta  {@code [d]}
     * @param eps   added to the variance
     * @return {@code [rows, d]}, a new array ({@code x} unchanged)
     * @throws IllegalArgumentException if {@code x} is not a matrix or gamma/beta do not have d values
     */
    public static INDArray forward(INDArray x, INDArray gamma, INDArray beta, double eps) {
        // TODO Exercise 8.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 8.2 is not done yet");
    }
}
