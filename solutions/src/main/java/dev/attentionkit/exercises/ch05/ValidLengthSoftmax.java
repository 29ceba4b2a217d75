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
     * @param scores       {@code [batch, queries, keys]}, finite
     * @param validLengths {@code [batch]}, each in {@code 0..keys}
     * @return weights {@code [batch, queries, keys]}
     */
    public static INDArray softmax(INDArray scores, int[] validLengths) {
        // BEGIN SOLUTION 5.2
        // Hint: build a 0/1 keep array from the valid lengths, multiply exp(scores - row max) by it, divide by the row sum, and do not divide by a sum of 0.
        long batch = scores.size(0);
        long keys = scores.size(2);
        float[][][] keep = new float[(int) batch][1][(int) keys];      // [b, 1, k]: the same for every query
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < validLengths[b]; j++) {
                keep[b][0][j] = 1f;
            }
        }
        INDArray keepF = Nd4j.createFromArray(keep).castTo(scores.dataType());
        // Shift by the row maximum for stability; exp of padded keys is then multiplied by 0, not filled with -inf,
        // so a fully padded row stays finite: all zeros.
        INDArray exp = Transforms.exp(scores.sub(scores.max(true, 2)), false).muli(keepF);
        INDArray sum = exp.sum(true, 2);                                // [b, q, 1]
        INDArray safe = Transforms.max(sum, 1e-30, true);               // 0 / tiny = 0 for empty rows
        return exp.divi(safe);
        // END SOLUTION
    }
}
