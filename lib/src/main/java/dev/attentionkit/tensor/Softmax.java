package dev.attentionkit.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax over the last axis, as {@code torch.softmax(x, dim=-1)} computes it.
 *
 * <p>The stable form subtracts each row's maximum before {@code exp}: the result is mathematically the
 * same, but {@code exp} never sees a large positive number, so scores of 1000 do not overflow to
 * infinity and the weights never become NaN.
 */
public final class Softmax {
    private Softmax() {}

    /**
     * Numerically stable softmax over the last axis.
     *
     * @param scores any shape {@code [..., keys]}
     * @return weights of the same shape; every slice along the last axis is positive and sums to 1
     */
    public static INDArray lastAxis(INDArray scores) {
        Shapes.requireFinite(scores, "scores");
        int last = scores.rank() - 1;
        // keepDims = true leaves [..., 1], which broadcasts against [..., keys].
        INDArray exp = Transforms.exp(scores.sub(scores.max(true, last)), false);
        return exp.divi(exp.sum(true, last));
    }

    /**
     * The textbook formula {@code exp(x) / sum(exp(x))} without the shift, kept to show why the stable
     * form exists: with scores around 100 in float32 it already returns NaN.
     *
     * @param scores any shape {@code [..., keys]}
     */
    public static INDArray naive(INDArray scores) {
        INDArray exp = Transforms.exp(scores, true);
        return exp.divi(exp.sum(true, scores.rank() - 1));
    }
}
