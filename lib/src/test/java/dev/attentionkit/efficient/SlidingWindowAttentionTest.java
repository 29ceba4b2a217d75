package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Sliding-window (local) attention")
class SlidingWindowAttentionTest {
    static final int TOKENS = 150;   // more than two query blocks of 64

    static Stream<Arguments> windows() {
        return Stream.of(1, 2, 17, 64, 100, 400).flatMap(w -> Stream.of(Arguments.of(w, false), Arguments.of(w, true)));
    }

    @ParameterizedTest(name = "window {0}, causal {1}")
    @MethodSource("windows")
    @DisplayName("equals full attention with a window mask computed in plain loops")
    void equalsMaskedFull(int window, boolean causal) {
        INDArray q = Seeded.array(11, 2, TOKENS, 8), k = Seeded.array(12, 2, TOKENS, 8), v = Seeded.array(13, 2, TOKENS, 3);
        INDArray out = SlidingWindowAttention.apply(q, k, v, window, causal);
        assertArrayEquals(new long[] {2, TOKENS, 3}, out.shape());
        for (int b = 0; b < 2; b++) {
            double[][] expected = Loops.attention(Values.sequence(q, b), Values.sequence(k, b),
                Values.sequence(v, b),
                (i, j) -> causal ? j <= i && i - j < window : Math.abs(i - j) < window);
            Check.assertClose(expected, out.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @Test
    @DisplayName("a window as long as the sequence is ordinary (causal) attention")
    void wideWindowIsBlocked() {
        INDArray q = Seeded.array(1, 40, 8), k = Seeded.array(2, 40, 8), v = Seeded.array(3, 40, 8);
        assertTrue(SlidingWindowAttention.apply(q, k, v, 40, true).equalsWithEps(BlockedAttention.apply(q, k, v, true), 1e-5));
        assertTrue(SlidingWindowAttention.apply(q, k, v, 40, false).equalsWithEps(BlockedAttention.apply(q, k, v, false), 1e-5));
    }

    @Test
    @DisplayName("window 0 and cross-attention shapes are rejected")
    void rejects() {
        INDArray x = Seeded.array(1, 10, 4);
        assertThrows(IllegalArgumentException.class, () -> SlidingWindowAttention.apply(x, x, x, 0, true));
        IllegalArgumentException cross = assertThrows(IllegalArgumentException.class,
            () -> SlidingWindowAttention.apply(x, Seeded.array(2, 12, 4), Seeded.array(3, 12, 4), 3, false));
        assertTrue(cross.getMessage().contains("10") && cross.getMessage().contains("12"), cross.getMessage());
    }
}
