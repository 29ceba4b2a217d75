package dev.attentionkit.exercises.ch08;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("8.1 Sinusoidal positional encoding")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.transformer.*",
    "dev.attentionkit.longrange.*"})
class PositionalEncodingTest {

    private static double[][] expected(int positions, int d) {
        double[][] pe = new double[positions][d];
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; 2 * i < d; i++) {
                double angle = pos / Math.pow(10000, 2.0 * i / d);
                pe[pos][2 * i] = Math.sin(angle);
                if (2 * i + 1 < d) {
                    pe[pos][2 * i + 1] = Math.cos(angle);
                }
            }
        }
        return pe;
    }

    @Test
    @Points(1)
    @Hint(value = "What are the angles at position 0, and at the positions after it?",
        full = "Position 0 has angle 0 in every column: sin 0 = 0 on even columns, cos 0 = 1 on odd ones.")
    @DisplayName("position 0 is [0, 1, 0, 1, ...]; positions 1 to 3 follow the formula")
    void firstRow() {
        assertClose(new double[][] {{0, 1, 0, 1, 0, 1}}, PositionalEncoding.sinusoidal(1, 6), 1e-6, "PE[0] for d = 6");
        // Paired with later rows, so a table of copies of row 0 earns nothing here.
        assertClose(expected(4, 6), PositionalEncoding.sinusoidal(4, 6), 1e-6, "PE [4, 6]");
    }

    @Test
    @Points(2)
    @Hint(value = "Which exponent does column c use? Columns come in sine-cosine pairs.",
        full = "Columns 2i and 2i+1 share the exponent 2i/d: use c - c % 2, not c, for column c.")
    @DisplayName("50 positions × 16 columns match the formula")
    void table() {
        assertClose(expected(50, 16), PositionalEncoding.sinusoidal(50, 16), 1e-5, "PE [50, 16]");
    }

    @Test
    @Points(1)
    @Hint(value = "With an odd width, what is the last column? And what should happen for a size of 0?",
        full = "With an odd d the last column 2i = d - 1 is a sine; bad sizes throw IllegalArgumentException.")
    @DisplayName("odd width, and non-positive sizes rejected")
    void oddAndBad() {
        assertClose(expected(9, 5), PositionalEncoding.sinusoidal(9, 5), 1e-5, "PE [9, 5]");
        assertThrows(IllegalArgumentException.class, () -> PositionalEncoding.sinusoidal(0, 4), "0 positions");
        assertThrows(IllegalArgumentException.class, () -> PositionalEncoding.sinusoidal(4, 0), "d = 0");
    }
}
