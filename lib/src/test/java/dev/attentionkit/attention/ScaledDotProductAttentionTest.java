package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Scaled dot-product attention")
class ScaledDotProductAttentionTest {

    @Test
    @DisplayName("4 queries over 7 keys (cross-attention shapes) match the plain-loop formula")
    void crossShapesMatchReference() {
        INDArray q = Seeded.array(1, 4, 8), k = Seeded.array(2, 7, 8), v = Seeded.array(3, 7, 5);
        AttentionOutput out = ScaledDotProductAttention.apply(q, k, v);
        assertArrayEquals(new long[] {4, 7}, out.weights().shape());
        Check.assertClose(Loops.attention(q.toDoubleMatrix(), k.toDoubleMatrix(), v.toDoubleMatrix()), out.context(), 1e-5, "context");
    }

    @Test
    @DisplayName("scores are large but the weights stay finite (scaled, stable softmax)")
    void largeScores() {
        INDArray q = Seeded.array(1, 3, 64).mul(40), k = Seeded.array(2, 3, 64).mul(40);
        AttentionOutput out = ScaledDotProductAttention.apply(q, k, Seeded.array(3, 3, 2));
        assertTrue(Double.isFinite(out.weights().sumNumber().doubleValue()));
        Check.assertClose(Loops.attention(q.toDoubleMatrix(), k.toDoubleMatrix(), Seeded.array(3, 3, 2).toDoubleMatrix()),
            out.context(), 1e-4, "context");
    }

    @Test
    @DisplayName("keys and values of different lengths are rejected with all three shapes")
    void keysAndValuesDiffer() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> ScaledDotProductAttention.apply(Seeded.array(1, 4, 8), Seeded.array(2, 7, 8), Seeded.array(3, 6, 5)));
        assertTrue(error.getMessage().contains("[7, 8]") && error.getMessage().contains("[6, 5]"), error.getMessage());
    }

    @Test
    @DisplayName("queries and keys of different widths are rejected")
    void widthsDiffer() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> ScaledDotProductAttention.apply(Seeded.array(1, 4, 8), Seeded.array(2, 7, 6), Seeded.array(3, 7, 5)));
        assertTrue(error.getMessage().contains("keys") && error.getMessage().contains("[7, 6]"), error.getMessage());
    }
}
