package dev.attentionkit.exercises.ch05;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercise 5.2 — masked softmax with valid lengths (d2l's {@code masked_softmax}).
 *
 * <p>Sequences of different lengths are padded to one length to form a batch. Sequence {@code b} has
 * {@code validLengths[b]} real tokens; the keys after them are padding and must get weight exactly 0. The
 * visible keys share the whole weight (each row sums to 1). A sequence with valid length 0 has nothing to
 * attend to: its rows are all zeros, not NaN.
 *
 * <pre>
 * scores row [2.0, 1.0, 0.5, 3.0], valid length 2   →   [0.7311, 0.2689, 0, 0]
 * </pre>
 */
public final class ValidLengthSoftmax {
    private ValidLengthSoftmax() {}

    /**
     * @param scores       {@code [batch, queries, keys]}, finite; left unchanged
     * @param validLengths {@code [batch]}, each in {@code 0..keys}
     * @return weights {@code [batch, queries, keys]}
     */
    public static INDArray softmax(INDArray scores, int[] validLengths) {
        // BEGIN SOLUTION 5.2
        long batch = scores.size(0);
        long keys = scores.size(2);
        float[][][] keep = new float[(int) batch][1][(int) keys];      // [b, 1, k]: the same for every query
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < validLengths[b]; j++) {
                keep[b][0][j] = 1f;
            }
        }
        INDArray keepF = Nd4j.createFromArray(keep).castTo(scores.dataType());
        // The row maximum over the valid keys only: a large score on a padded key must not shift the row (with
        // scores [0, 1, 200] and valid length 2, shifting by 200 would underflow both valid keys to 0). Padded
        // keys are set to -1e30 for the maximum (finite, so no inf - inf); a fully padded row then has maximum
        // -1e30 and its exp, multiplied by keep, is 0.
        INDArray valid = scores.mul(keepF).addi(keepF.rsub(1).muli(-1e30));   // [b, q, k]
        INDArray exp = Transforms.exp(valid.sub(valid.max(true, 2)), false).muli(keepF);
        INDArray sum = exp.sum(true, 2);                                        // [b, q, 1]
        INDArray safe = Transforms.max(sum, 1e-30, true);                       // 0 / tiny = 0 for empty rows
        return exp.divi(safe);
        // END SOLUTION
    }
}
