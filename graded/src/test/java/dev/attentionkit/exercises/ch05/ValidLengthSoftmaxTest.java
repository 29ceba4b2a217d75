package dev.attentionkit.exercises.ch05;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("5.2 Masked softmax with valid lengths")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.mask.*",
    "dev.attentionkit.tensor.Softmax#masked",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.attention.*"})
class ValidLengthSoftmaxTest {

    @Test
    @Hint(value = "Which keys take part in each row's maximum and sum? Try scores [0, 1, 200] and [-200, -199, 0] with valid length 2.",
        full = "build a 0/1 keep array from the valid lengths; take each row's maximum over its valid keys only; multiply exp(scores - that max) by keep, divide by the row sum, and do not divide by a sum of 0.")
    @Points(1)
    @DisplayName("by hand: [2, 1, 0.5, 3] and [0, 1, 200] with valid length 2")
    void byHand() {
        INDArray scores = Nd4j.createFromArray(new float[][][] {{{2f, 1f, 0.5f, 3f}}});
        double e = Math.E;
        double[] expected = {e / (e + 1), 1 / (e + 1), 0, 0};   // softmax of [2, 1] = [e², e] / (e² + e)
        assertClose(new long[] {1, 1, 4}, expected, ValidLengthSoftmax.softmax(scores, new int[] {2}), 1e-5,
            "softmax([[[2, 1, 0.5, 3]]], validLengths = [2])");
        // A large score on a padded key must not matter: the maximum is taken over the valid keys only
        // (shifting by 200 would underflow exp(0 - 200) and exp(1 - 200) to 0).
        double[] expectedPadded = {1 / (1 + e), e / (1 + e), 0};
        assertClose(new long[] {1, 1, 3}, expectedPadded,
            ValidLengthSoftmax.softmax(Nd4j.createFromArray(new float[][][] {{{0f, 1f, 200f}}}), new int[] {2}), 1e-5,
            "softmax([[[0, 1, 200]]], validLengths = [2])");
        // Nor may padded keys raise the maximum: with valid scores of -200 and -199, shifting by anything padded
        // (0, or a fill value) underflows both to 0.
        assertClose(new long[] {1, 1, 3}, expectedPadded,
            ValidLengthSoftmax.softmax(Nd4j.createFromArray(new float[][][] {{{-200f, -199f, 0f}}}), new int[] {2}), 1e-5,
            "softmax([[[-200, -199, 0]]], validLengths = [2])");
    }

    @Test
    @Hint(value = "Which keys take part in each row's maximum and sum? Try scores [0, 1, 200] and [-200, -199, 0] with valid length 2.",
        full = "build a 0/1 keep array from the valid lengths; take each row's maximum over its valid keys only; multiply exp(scores - that max) by keep, divide by the row sum, and do not divide by a sum of 0.")
    @Points(1)
    @DisplayName("a random batch [2, 3, 5] with valid lengths [2, 4]")
    void randomBatch() {
        INDArray scores = Seeded.array(80, 2, 3, 5).mul(3);
        double[][][] s = Values.of3(scores);
        double[][][] expected = {Loops.validLengthSoftmaxRows(s[0], 2), Loops.validLengthSoftmaxRows(s[1], 4)};
        INDArray before = scores.dup();
        assertClose(new long[] {2, 3, 5}, Loops.flatten(expected), ValidLengthSoftmax.softmax(scores, new int[] {2, 4}),
            1e-5, "softmax(scores [2, 3, 5], validLengths = [2, 4])");
        assertClose(new long[] {2, 3, 5}, Loops.flatten(s), scores, 0.0, "the scores after the call (must be left unchanged)");
    }

    @Test
    @Hint(value = "Which keys take part in each row's maximum and sum? Try scores [0, 1, 200] and [-200, -199, 0] with valid length 2.",
        full = "build a 0/1 keep array from the valid lengths; take each row's maximum over its valid keys only; multiply exp(scores - that max) by keep, divide by the row sum, and do not divide by a sum of 0.")
    @Points(1)
    @DisplayName("valid length 0 gives zeros (not NaN); scores of 1000 stay finite")
    void emptyRowsAndLargeScores() {
        INDArray scores = Nd4j.createFromArray(new float[][][] {
            {{1000f, 1001f, 999f}, {0f, 0f, 0f}},
            {{1000f, 1001f, 999f}, {5f, 1f, 2f}}});
        double e = Math.E;
        double e4 = Math.exp(4);
        double[] expected = {
            0, 0, 0, 0, 0, 0,                                    // batch 0, valid length 0: nothing to attend to
            1 / (1 + e), e / (1 + e), 0,                         // softmax of [1000, 1001] = [1, e] / (1 + e)
            e4 / (e4 + 1), 1 / (e4 + 1), 0};                     // softmax of [5, 1] = [e⁴, 1] / (e⁴ + 1)
        assertClose(new long[] {2, 2, 3}, expected, ValidLengthSoftmax.softmax(scores, new int[] {0, 2}), 1e-5,
            "softmax(scores [2, 2, 3], validLengths = [0, 2])");
    }
}
