package dev.attentionkit.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
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

    /**
     * Masked softmax over the last axis (d2l's {@code masked_softmax}): masked scores are replaced by
     * {@code fill} ({@code -∞} as the book does, or {@code -1e9} as the Annotated Transformer does), softmax is
     * taken, and masked positions get exactly 0.
     *
     * <p>A row whose every key is masked has nothing to attend to: it gets all-zero weights instead of
     * the NaN ({@code -∞} convention) or uniform weights ({@code -1e9} convention) a plain softmax gives.
     *
     * @param scores {@code [..., queries, keys]}, finite
     * @param keep   {@code BOOL}, same rank as {@code scores} and broadcastable to it; {@code true} = attend
     * @param fill   the score a masked position gets before softmax, {@code -∞} or a large negative number
     * @return weights of the shape of {@code scores}; each row sums to 1, or to 0 if fully masked
     */
    public static INDArray masked(INDArray scores, INDArray keep, double fill) {
        Shapes.requireFinite(scores, "scores");
        if (!(fill < 0)) {
            throw new IllegalArgumentException("fill must be negative (-inf or e.g. -1e9), got " + fill);
        }
        int last = scores.rank() - 1;
        INDArray keepF = keep.castTo(scores.dataType());
        INDArray blocked = keepF.rsub(1.0);                                   // 1 = masked
        BooleanIndexing.replaceWhere(blocked, fill, Conditions.greaterThan(0.5));
        INDArray filled = scores.add(blocked);                                // masked_fill(~keep, fill)
        INDArray max = filled.max(true, last);                                // [..., q, 1]
        // A fully masked row (-inf convention) has max -inf; -inf - -inf would be NaN, so shift by 0 there.
        BooleanIndexing.replaceWhere(max, 0.0, Conditions.isInfinite());
        INDArray exp = Transforms.exp(filled.subi(max), false).muli(keepF);   // masked → exactly 0
        INDArray sum = exp.sum(true, last);
        BooleanIndexing.replaceWhere(sum, 1.0, Conditions.equals(0.0));       // 0 / 1 = 0 for empty rows
        return exp.divi(sum);
    }
}
