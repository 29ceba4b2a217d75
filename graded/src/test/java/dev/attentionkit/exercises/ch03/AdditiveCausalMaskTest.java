package dev.attentionkit.exercises.ch03;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("3.1 The additive causal mask")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.mask.*",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.efficient.*"})
class AdditiveCausalMaskTest {

    @Test
    @Hint(value = "Which keys are in the future of query i? Only those are masked; the diagonal is visible.",
        full = "fill a float[tokens][tokens] with Float.NEGATIVE_INFINITY where the key comes after the query (j > i), 0 elsewhere, then Nd4j.createFromArray.")
    @Points(1)
    @DisplayName("4 tokens: 0 on and below the diagonal, -infinity above it")
    void fourTokens() {
        checkMask(4);
    }

    @Test
    @Hint(value = "Which keys are in the future of query i? Only those are masked; the diagonal is visible.",
        full = "fill a float[tokens][tokens] with Float.NEGATIVE_INFINITY where the key comes after the query (j > i), 0 elsewhere, then Nd4j.createFromArray.")
    @Points(1)
    @DisplayName("1 token and 7 tokens")
    void otherSizes() {
        checkMask(1);
        checkMask(7);
    }

    private static void checkMask(int tokens) {
        INDArray mask = CausalMasking.additiveMask(tokens);
        assertNotNull(mask, "additiveMask(" + tokens + ") returned null");
        assertArrayEquals(new long[] {tokens, tokens}, mask.shape(),
            "additiveMask(" + tokens + "): expected shape [" + tokens + ", " + tokens + "], got " + Arrays.toString(mask.shape()));
        double[][] got = mask.toDoubleMatrix();
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                boolean future = j > i;
                boolean ok = future ? got[i][j] == Double.NEGATIVE_INFINITY : got[i][j] == 0.0;
                if (!ok) {
                    fail(String.format("additiveMask(%d): element [%d, %d] should be %s (key %d is %s query %d) but was %s%n actual row %d: %s",
                        tokens, i, j, future ? "-Infinity" : "0.0", j, future ? "after" : "not after", i, got[i][j], i, Arrays.toString(got[i])));
                }
            }
        }
    }
}
