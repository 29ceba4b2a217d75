package dev.attentionkit.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Softmax over the last axis")
class SoftmaxTest {

    @Test
    @DisplayName("matches a plain-Java softmax on every row of a [2, 3, 5] array")
    void matchesReferenceOnABatch() {
        INDArray scores = Seeded.array(1, 2, 3, 5).mul(4);
        INDArray weights = Softmax.lastAxis(scores);
        assertArrayEquals(new long[] {2, 3, 5}, weights.shape());
        double[][] rows = scores.reshape(6, 5).toDoubleMatrix();
        double[][] got = weights.reshape(6, 5).toDoubleMatrix();
        for (int r = 0; r < 6; r++) {
            assertArrayEquals(Loops.softmax(rows[r]), got[r], 1e-6, "row " + r);
        }
    }

    @Test
    @DisplayName("agrees with ND4J's own softmax op")
    void agreesWithNd4j() {
        INDArray scores = Seeded.array(2, 4, 7).mul(3);
        assertTrue(Nd4j.nn().softmax(scores, 1).equalsWithEps(Softmax.lastAxis(scores), 1e-6));
    }

    @Test
    @DisplayName("large scores stay finite: [1000, 1001, 999] gives the closed-form weights")
    void largeScoresAreStable() {
        double e = Math.E;
        double sum = 1 / e + 1 + 1 / (e * e);
        assertArrayEquals(new double[] {1 / e / sum, 1 / sum, 1 / (e * e) / sum},
            Softmax.lastAxis(Nd4j.createFromArray(1000f, 1001f, 999f)).toDoubleVector(), 1e-6);
    }

    @Test
    @DisplayName("the naive form overflows where the stable one does not (why the shift exists)")
    void naiveOverflows() {
        INDArray large = Nd4j.createFromArray(100f, 101f);
        assertTrue(Double.isNaN(Softmax.naive(large).getDouble(0)), "exp(100) overflows float32, so inf/inf = NaN");
        assertArrayEquals(Loops.softmax(new double[] {100, 101}), Softmax.lastAxis(large).toDoubleVector(), 1e-6);
    }

    @Test
    @DisplayName("a NaN score is rejected with a message that counts it")
    void nanRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> Softmax.lastAxis(Nd4j.createFromArray(1f, Float.NaN, 2f)));
        assertTrue(error.getMessage().contains("scores [3] contains 1 NaN"), error.getMessage());
    }
}
