package dev.attentionkit.tensor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The one check of an attention call's queries, keys and values: each mistake named, with all three shapes. */
@DisplayName("Shapes.requireQueriesKeysValues")
class QueriesKeysValuesCheckTest {

    private static INDArray a(long... shape) {
        return Nd4j.zeros(DataType.FLOAT, shape);
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
            Arguments.of("rank 1", a(6), a(6), a(6), 4, "of rank 2 to 4"),
            Arguments.of("rank 4 where 3 is the most", a(1, 2, 3, 4), a(1, 2, 5, 4), a(1, 2, 5, 4), 3, "of rank 2 to 3"),
            Arguments.of("ranks differ", a(3, 4), a(2, 5, 4), a(2, 5, 4), 4, "same rank"),
            Arguments.of("batches differ", a(2, 3, 4), a(3, 5, 4), a(3, 5, 4), 4, "same batch"),
            Arguments.of("heads differ", a(2, 2, 3, 4), a(2, 3, 5, 4), a(2, 3, 5, 4), 4, "same batch (and heads)"),
            Arguments.of("key width differs", a(2, 3, 4), a(2, 5, 6), a(2, 5, 4), 4, "same last dimension"),
            Arguments.of("values and keys differ in tokens", a(2, 3, 4), a(2, 5, 4), a(2, 6, 4), 4, "same number of tokens"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    @DisplayName("each mistake is refused, naming it and all three shapes")
    void refuses(String what, INDArray q, INDArray k, INDArray v, int maxRank, String says) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Shapes.requireQueriesKeysValues(q, k, v, maxRank));
        String m = e.getMessage();
        assertTrue(m.contains(says), what + ": " + m);
        for (INDArray x : new INDArray[] {q, k, v}) {
            assertTrue(m.contains(Shapes.describe(x)), what + ": the message should name " + Shapes.describe(x) + ": " + m);
        }
    }

    @Test
    @DisplayName("null inputs are named; fitting inputs of rank 2, 3 and 4 pass (queries and keys may differ in count)")
    void nullsAndFits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Shapes.requireQueriesKeysValues(a(3, 4), null, a(5, 4), 4));
        assertTrue(e.getMessage().contains("keys is null"), e.getMessage());
        assertDoesNotThrow(() -> Shapes.requireQueriesKeysValues(a(3, 4), a(5, 4), a(5, 7), 3));
        assertDoesNotThrow(() -> Shapes.requireQueriesKeysValues(a(2, 3, 4), a(2, 5, 4), a(2, 5, 7), 3));
        assertDoesNotThrow(() -> Shapes.requireQueriesKeysValues(a(2, 2, 3, 4), a(2, 2, 5, 4), a(2, 2, 5, 7), 4));
    }
}
