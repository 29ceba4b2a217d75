package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Self-attention without weights")
class SimpleSelfAttentionTest {

    @Test
    @DisplayName("context vectors are softmax(X Xᵀ) X, by plain loops, without scaling")
    void contextVectorsMatchReference() {
        INDArray x = Seeded.array(9, 5, 4);
        double[][] xs = x.toDoubleMatrix();
        double[][] scores = Loops.matmul(xs, Loops.transpose(xs));
        double[][] weights = new double[5][];
        for (int i = 0; i < 5; i++) {
            weights[i] = Loops.softmax(scores[i]);
        }
        Check.assertClose(Loops.matmul(weights, xs), SimpleSelfAttention.contextVectors(x), 1e-5, "context vectors");
    }

    @Test
    @DisplayName("one query's context vector is that row of all context vectors")
    void oneQueryIsARowOfAll() {
        INDArray x = Seeded.array(3, 6, 3);
        assertTrue(SimpleSelfAttention.contextFor(x, 4).equalsWithEps(SimpleSelfAttention.contextVectors(x).getRow(4), 1e-6));
    }

    @Test
    @DisplayName("a query index out of range names the valid range")
    void queryOutOfRange() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> SimpleSelfAttention.scoresFor(Seeded.array(1, 6, 3), 6));
        assertTrue(error.getMessage().contains("0 to 5"), error.getMessage());
    }
}
