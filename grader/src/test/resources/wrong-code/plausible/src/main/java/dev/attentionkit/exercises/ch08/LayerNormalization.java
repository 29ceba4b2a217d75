package dev.attentionkit.exercises.ch08;

import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 8.2 the unbiased variance (divides by d - 1)
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
        if (x.rank() != 2 || gamma.length() != x.size(1) || beta.length() != x.size(1)) {
            throw new IllegalArgumentException("expected x [rows, d], gamma [d], beta [d], got x "
                + java.util.Arrays.toString(x.shape()) + ", gamma " + gamma.length() + ", beta " + beta.length());
        }
        INDArray mean = x.mean(true, 1);                                   // [rows, 1]
        INDArray centred = x.subColumnVector(mean);                        // [rows, d]
        INDArray var = centred.mul(centred).sum(true, 1).divi(x.size(1) - 1);                 // [rows, 1]
        INDArray std = org.nd4j.linalg.ops.transforms.Transforms.sqrt(var.add(eps), false);
        return centred.divColumnVector(std).mulRowVector(gamma.reshape(-1)).addRowVector(beta.reshape(-1));
    }
}
