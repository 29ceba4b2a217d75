package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.Reference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Scaled dot-product attention")
class ScaledDotProductAttentionTest {

    @Test
    @DisplayName("4 queries over 7 keys (cross-attention shapes) match the plain-loop formula")
    void crossShapesMatchReference() {
        INDArray q = Reference.random(1, 4, 8), k = Reference.random(2, 7, 8), v = Reference.random(3, 7, 5);
        AttentionOutput out = ScaledDotProductAttention.apply(q, k, v);
        assertArrayEquals(new long[] {4, 7}, out.weights().shape());
        Reference.assertClose(Reference.attention(q.toDoubleMatrix(), k.toDoubleMatrix(), v.toDoubleMatrix()), out.context(), 1e-5);
    }

    @Test
    @DisplayName("scores are large but the weights stay finite (scaled, stable softmax)")
    void largeScores() {
        INDArray q = Reference.random(1, 3, 64).mul(40), k = Reference.random(2, 3, 64).mul(40);
        AttentionOutput out = ScaledDotProductAttention.apply(q, k, Reference.random(3, 3, 2));
        assertTrue(Double.isFinite(out.weights().sumNumber().doubleValue()));
        Reference.assertClose(Reference.attention(q.toDoubleMatrix(), k.toDoubleMatrix(), Reference.random(3, 3, 2).toDoubleMatrix()),
            out.context(), 1e-4);
    }

    @Test
    @DisplayName("keys and values of different lengths are rejected with all three shapes")
    void keysAndValuesDiffer() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> ScaledDotProductAttention.apply(Reference.random(1, 4, 8), Reference.random(2, 7, 8), Reference.random(3, 6, 5)));
        assertTrue(error.getMessage().contains("[7, 8]") && error.getMessage().contains("[6, 5]"), error.getMessage());
    }

    @Test
    @DisplayName("queries and keys of different widths are rejected")
    void widthsDiffer() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> ScaledDotProductAttention.apply(Reference.random(1, 4, 8), Reference.random(2, 7, 6), Reference.random(3, 7, 5)));
        assertTrue(error.getMessage().contains("keys") && error.getMessage().contains("[7, 6]"), error.getMessage());
    }
}
