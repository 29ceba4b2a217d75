package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.ScaledDotProductAttention;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.LocalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.mask.MaskPattern;
import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("One mask type: efficient attention picks its fast path from the Mask's pattern")
class EfficientAttentionTest {

    static Stream<Arguments> masks() {
        return Stream.of(
            Arguments.of("no mask", null),
            Arguments.of("causal", CausalMask.of(40)),
            Arguments.of("window 5", LocalMask.window(40, 5)),
            Arguments.of("causal window 7", LocalMask.causalWindow(40, 7)),
            Arguments.of("causal AND window 5", CausalMask.of(40).and(LocalMask.window(40, 5))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("masks")
    @DisplayName("the fast path equals the plain masked form on the same mask")
    void fastPathEqualsPlain(String name, Mask mask) {
        INDArray q = Seeded.array(1, 2, 40, 8), k = Seeded.array(2, 2, 40, 8), v = Seeded.array(3, 2, 40, 6);
        INDArray plain = ScaledDotProductAttention.apply(q, k, v, mask).context();
        assertArrayEquals(Values.flat(plain), Values.flat(EfficientAttention.apply(q, k, v, mask)), 1e-5, name);
    }

    @Test
    @DisplayName("masks carry their pattern; and keeps it, or / padding / arrays have none")
    void patterns() {
        assertEquals(new MaskPattern(true, MaskPattern.NO_WINDOW), CausalMask.of(6).pattern().orElseThrow());
        assertEquals(new MaskPattern(false, 3), LocalMask.window(6, 3).pattern().orElseThrow());
        assertEquals(new MaskPattern(true, 3), CausalMask.of(6).and(LocalMask.window(6, 3)).pattern().orElseThrow());
        assertEquals(CausalMask.of(6).and(LocalMask.window(6, 3)), LocalMask.causalWindow(6, 3), "the same keep array");
        assertFalse(CausalMask.of(6).or(LocalMask.window(6, 2)).pattern().isPresent());
        assertFalse(CausalMask.of(6).and(PaddingMask.validLengths(6, 6, 4, 6)).pattern().isPresent());
        assertFalse(Mask.of(CausalMask.of(6).keep()).pattern().isPresent(), "an array says nothing about its structure");
    }

    @Test
    @DisplayName("a mask without a pattern is refused with the readable form to use")
    void unpatternedRefused() {
        INDArray q = Seeded.array(1, 1, 6, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> EfficientAttention.apply(q, q, q, PaddingMask.validLengths(6, 6, 4)));
        assertTrue(e.getMessage().contains("ScaledDotProductAttention.apply"), e.getMessage());
    }

    @Test
    @DisplayName("the one additive conversion: 0 kept, the blocked value hidden (-inf or -1e9)")
    void additive() {
        INDArray inf = CausalMask.of(3).additive(DataType.FLOAT, Double.NEGATIVE_INFINITY);
        assertEquals(0.0, inf.getDouble(1, 0), 0.0);
        assertEquals(Double.NEGATIVE_INFINITY, inf.getDouble(0, 2), 0.0);
        INDArray finite = PaddingMask.validLengths(2, 3, 2).additive(DataType.DOUBLE, -1e9);
        assertArrayEquals(new long[] {1, 2, 3}, finite.shape());
        assertEquals(-1e9, finite.getDouble(0, 1, 2), 0.0);
        assertEquals(0.0, finite.getDouble(0, 1, 1), 0.0);
        assertThrows(IllegalArgumentException.class, () -> CausalMask.of(3).additive(DataType.FLOAT, 0));
    }
}
