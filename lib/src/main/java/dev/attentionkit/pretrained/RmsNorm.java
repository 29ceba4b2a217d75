package dev.attentionkit.pretrained;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Root-mean-square normalisation (Llama): {@code y = x / sqrt(mean(x²) + eps) · weight} over the last axis.
 * Unlike {@code LayerNorm} it neither subtracts the mean nor adds a shift.
 */
public final class RmsNorm {
    private final INDArray weight; // [d]
    private final double eps;

    public RmsNorm(INDArray weight, double eps) {
        if (weight.rank() != 1) {
            throw new IllegalArgumentException("RmsNorm: weight must be [d], got rank " + weight.rank());
        }
        this.weight = weight;
        this.eps = eps;
    }

    /** @param x {@code [.., d]}; returns the same shape */
    public INDArray forward(INDArray x) {
        long d = weight.length();
        if (x.size(-1) != d) {
            throw new IllegalArgumentException("RmsNorm: expected [.., " + d + "], got last axis " + x.size(-1));
        }
        long[] shape = x.shape();
        INDArray rows = x.reshape('c', x.length() / d, d);                             // [n, d]
        INDArray rms = Transforms.sqrt(rows.mul(rows).mean(true, 1).addi(eps), false);  // [n, 1]
        return rows.divColumnVector(rms).muliRowVector(weight).reshape('c', shape);
    }

    public INDArray weight() {
        return weight;
    }

    public double eps() {
        return eps;
    }
}
