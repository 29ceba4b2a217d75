package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.testkit.Seeded;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A learner's wrong shape is reported at once, naming what was expected and what came in. */
@DisplayName("Wrong shapes are rejected with messages that name the shapes")
class ShapeErrorsTest {

    interface Call {
        void run();
    }

    static Stream<Arguments> wrongInputs() {
        INDArray wrongFeatures = Seeded.array(1, 2, 6, 5);   // dIn is 3
        INDArray rank4 = Seeded.array(1, 1, 2, 6, 3);
        return Stream.of(
            Arguments.of("CausalAttention, wrong dIn", (Call) () ->
                CausalAttention.fromSeed(3, 2, 6, 0, false, 1).forward(wrongFeatures), new String[] {"[2, 6, 5]", "3"}),
            Arguments.of("MultiHeadAttentionWrapper, wrong dIn", (Call) () ->
                MultiHeadAttentionWrapper.fromSeed(3, 2, 6, 0, 2, false, 1).forward(wrongFeatures),
                new String[] {"[2, 6, 5]"}),
            Arguments.of("MultiHeadAttention, wrong dIn", (Call) () ->
                MultiHeadAttention.fromSeed(3, 2, 6, 0, 2, 1).forward(wrongFeatures), new String[] {"[2, 6, 5]", "3"}),
            Arguments.of("FusedQkvAttention, wrong dIn", (Call) () ->
                FusedQkvAttention.fromSeed(3, 2, 6, 0, 2, false, 1).forward(wrongFeatures), new String[] {"[2, 6, 5]"}),
            Arguments.of("MultiHeadAttention, rank 4 input", (Call) () ->
                MultiHeadAttention.fromSeed(3, 2, 6, 0, 2, 1).forward(rank4), new String[] {"[1, 2, 6, 3]"}),
            Arguments.of("MultiHeadAttention, padding mask for 5 tokens on 6", (Call) () ->
                MultiHeadAttention.fromSeed(3, 2, 6, 0, 2, 1).attend(Seeded.array(2, 2, 6, 3),
                    PaddingMask.validLengths(5, 5, 3, 4)), new String[] {"[2, 5, 5]", "[2, 6, 6]"}),
            Arguments.of("MultiHeadAttention, cross mask of the wrong key count", (Call) () ->
                MultiHeadAttention.fromSeed(3, 2, 6, 0, 2, 1).crossAttend(Seeded.array(2, 2, 4, 3), Seeded.array(3, 2, 7, 3),
                    CausalMask.of(4)), new String[] {"[4, 4]", "[4, 7]"}),
            Arguments.of("MultiHeadAttention, batch of queries and keys differ", (Call) () ->
                MultiHeadAttention.fromSeed(3, 2, 6, 0, 2, 1).crossAttend(Seeded.array(2, 2, 4, 3), Seeded.array(3, 3, 7, 3), null),
                new String[] {"[2, 4, 3]", "[3, 7, 3]"}),
            Arguments.of("CausalAttention, padding mask for another batch size", (Call) () ->
                CausalAttention.fromSeed(3, 2, 6, 0, false, 1).attend(Seeded.array(2, 2, 6, 3),
                    PaddingMask.validLengths(6, 6, 1, 2, 3)), new String[] {"[3, 6, 6]"}),
            Arguments.of("ScaledDotProductAttention, keys and values of different lengths", (Call) () ->
                ScaledDotProductAttention.apply(Seeded.array(1, 2, 3, 4), Seeded.array(2, 2, 5, 4),
                    Seeded.array(3, 2, 6, 4), null), new String[] {"[2, 5, 4]", "[2, 6, 4]"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongInputs")
    @DisplayName("modules reject wrong inputs and masks")
    void rejects(String what, Call call, String[] mentioned) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String s : mentioned) {
            assertTrue(e.getMessage().contains(s), what + ": message should contain " + s + ": " + e.getMessage());
        }
    }

    @Test
    @DisplayName("dOut not divisible by numHeads is rejected at construction")
    void heads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MultiHeadAttention.fromSeed(4, 6, 8, 0, 4, 1));
        assertTrue(e.getMessage().contains("dOut=6") && e.getMessage().contains("numHeads=4"), e.getMessage());
    }

    @Test
    @DisplayName("an outProj of the wrong size is rejected naming its shape")
    void outProj() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 6, 8, 0, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultiHeadAttention.fromLayers(
            mha.query(), mha.key(), mha.value(), dev.attentionkit.nn.Linear.fromWeights(Seeded.array(1, 5, 6), null),
            2, 8, null));
        assertTrue(e.getMessage().contains("[5, 6]") && e.getMessage().contains("[6, 6]"), e.getMessage());
    }
}
