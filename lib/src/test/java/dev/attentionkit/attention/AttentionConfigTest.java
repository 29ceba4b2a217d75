package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("AttentionConfig: sizes by name, the same modules as the book's positional factories")
class AttentionConfigTest {
    private static final AttentionConfig SMALL =
        AttentionConfig.builder().dIn(3).dOut(4).contextLength(6).numHeads(2).dropout(0.1).build();

    @Test
    @DisplayName("a module from the config has the weights of the positional factory with the same sizes and seed")
    void sameModules() {
        INDArray x = Seeded.array(5, 2, 6, 3);
        assertArrayEquals(Values.flat(MultiHeadAttention.fromSeed(3, 4, 6, 0.1, 2, false, 123).eval().forward(x)),
            Values.flat(MultiHeadAttention.fromSeed(SMALL, 123).eval().forward(x)), 0.0);
        assertArrayEquals(Values.flat(FusedQkvAttention.fromSeed(3, 4, 6, 0.1, 2, false, 7).eval().forward(x)),
            Values.flat(FusedQkvAttention.fromSeed(SMALL, 7).eval().forward(x)), 0.0);
        MultiHeadAttentionWrapper wrapper = MultiHeadAttentionWrapper.fromSeed(SMALL, 9);
        assertEquals(2, wrapper.numHeads());
        assertEquals(4, wrapper.dOut(), "dOut is all heads together, as for MultiHeadAttention");
        AttentionConfig one = AttentionConfig.builder().dIn(3).dOut(2).contextLength(6).build();
        assertArrayEquals(Values.flat(CausalAttention.fromSeed(3, 2, 6, 0, false, 123).forward(x)),
            Values.flat(CausalAttention.fromSeed(one, 123).forward(x)), 0.0);
    }

    @Test
    @DisplayName("missing sizes are named; bad values are refused")
    void badConfigs() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> AttentionConfig.builder().dIn(768).build());
        assertTrue(missing.getMessage().contains("dOut contextLength"), missing.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> AttentionConfig.builder().dIn(4).dOut(6).contextLength(8).numHeads(4).build(), "6 is not a multiple of 4");
        assertThrows(IllegalArgumentException.class,
            () -> AttentionConfig.builder().dIn(4).dOut(4).contextLength(8).dropout(1.0).build());
        assertThrows(IllegalArgumentException.class, () -> CausalAttention.fromSeed(SMALL, 1), "two heads");
    }
}
