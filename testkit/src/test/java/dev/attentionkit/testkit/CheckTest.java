package dev.attentionkit.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.opentest4j.AssertionFailedError;

@DisplayName("The fixtures' assertions say which entry is wrong, by how much, and what the whole row looks like")
class CheckTest {

    private static String message(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(AssertionFailedError.class, e).getMessage();
    }

    @Test
    @DisplayName("a wrong matrix entry: its row and column, expected and actual, the difference, the tolerance, both rows")
    void matrixEntry() {
        double[][] expected = {{1, 2}, {3, 4}};
        assertEquals("forward(x): row 1, column 1 should be 4.0000 but was 4.5000 (off by 0.5000; tolerance 1e-04)\n"
                + " expected row 1: [3.0000, 4.0000]\n"
                + " actual   row 1: [3.0000, 4.5000]",
            message(() -> Check.assertClose(expected, Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4.5}}), 1e-4, "forward(x)")));
    }

    @Test
    @DisplayName("more than one wrong entry: the first is shown, and how many differ")
    void countsTheWrongEntries() {
        assertEquals("weights: entry 0 should be 0.5000 but was 0.0000 (off by 0.5000; tolerance 1e-04); 2 of 3 entries differ\n"
                + " expected values: [0.5000, 0.5000, 0.0000]\n"
                + " actual   values: [0.0000, 0.5000, 0.5000]",
            message(() -> Check.assertClose(new double[] {0.5, 0.5, 0}, Nd4j.createFromArray(0.0, 0.5, 0.5), 1e-4, "weights")));
    }

    @Test
    @DisplayName("a rank-3 entry by its full index, and the run of the last axis around it")
    void rank3() {
        double[][][] expected = {{{1, 2, 3}}, {{4, 5, 6}}};
        assertEquals("context: element [1, 0, 2] should be 6.00000 but was -6.00000 (off by 12.00000; tolerance 1e-05)\n"
                + " expected [1, 0, :]: [4.00000, 5.00000, 6.00000]\n"
                + " actual   [1, 0, :]: [4.00000, 5.00000, -6.00000]",
            message(() -> Check.assertClose(expected, Nd4j.createFromArray(new double[][][] {{{1, 2, 3}}, {{4, 5, -6}}}), 1e-5, "context")));
    }

    @Test
    @DisplayName("a small tolerance shows enough decimals to see the difference")
    void decimalsFollowTheTolerance() {
        assertEquals("x: entry 0 should be 1.000000 but was 1.000002 (off by 0.000002; tolerance 1e-06)\n"
                + " expected values: [1.000000]\n"
                + " actual   values: [1.000002]",
            message(() -> Check.assertClose(new double[] {1}, new double[] {1.000002}, 1e-6, "x")));
    }

    @Test
    @DisplayName("NaN is never close, and is named")
    void nan() {
        assertEquals("scores: entry 1 should be 2.0000 but was NaN (off by NaN; tolerance 1e-04)\n"
                + " expected values: [1.0000, 2.0000]\n"
                + " actual   values: [1.0000, NaN]",
            message(() -> Check.assertClose(new double[] {1, 2}, Nd4j.createFromArray(1.0, Double.NaN), 1e-4, "scores")));
    }

    @Test
    @DisplayName("a wrong shape or a null is said before any number")
    void shapeAndNull() {
        assertEquals("forward(x): expected shape [2, 2], got [2, 3]",
            message(() -> Check.assertClose(new double[][] {{1, 2}, {3, 4}}, Nd4j.zeros(2, 3), 1e-4, "forward(x)")));
        assertEquals("forward(x): expected an array of shape [2, 2], got null",
            message(() -> Check.assertClose(new double[][] {{1, 2}, {3, 4}}, (org.nd4j.linalg.api.ndarray.INDArray) null, 1e-4, "forward(x)")));
        assertEquals("rows: row 1 should have 2 entries, got 1",
            message(() -> Check.assertClose(new double[][] {{1, 2}, {3, 4}}, new double[][] {{1, 2}, {3}}, 1e-4, "rows")));
    }

    @Test
    @DisplayName("a long row is shown as the 16 values around the wrong one")
    void longRow() {
        double[] expected = new double[40];
        double[] actual = new double[40];
        actual[30] = 1;
        String m = message(() -> Check.assertClose(expected, actual, 1e-4, "v"));
        assertEquals("v: entry 30 should be 0.0000 but was 1.0000 (off by 1.0000; tolerance 1e-04)", m.lines().findFirst().orElseThrow());
        String shown = m.lines().toList().get(2);
        assertEquals(" actual   values: [... " + "0.0000, ".repeat(8) + "1.0000" + ", 0.0000".repeat(7) + " ...]", shown);
    }

    @Test
    @DisplayName("within the tolerance it passes, float32 arrays included")
    void passes() {
        assertDoesNotThrow(() -> Check.assertClose(new double[][] {{0.1, 0.2}}, Nd4j.createFromArray(new float[][] {{0.1f, 0.2f}}), 1e-7, "x"));
        assertDoesNotThrow(() -> Check.assertClose(new long[] {2, 1, 1}, new double[] {1, 2}, Nd4j.createFromArray(1.0, 2.00001).reshape(2, 1, 1), 1e-4, "x"));
    }
}
