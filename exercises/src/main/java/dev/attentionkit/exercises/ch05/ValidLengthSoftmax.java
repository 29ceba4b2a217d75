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
        // TODO Exercise 5.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 5.2 is not done yet");
    }
}
