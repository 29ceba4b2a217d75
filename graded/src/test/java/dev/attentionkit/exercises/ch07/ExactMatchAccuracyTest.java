package dev.attentionkit.exercises.ch07;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("7.3 Exact-match accuracy")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.seq2seq.*",
    "dev.attentionkit.longrange.*"})
class ExactMatchAccuracyTest {

    @Test
    @Hint(value = "What is 1 / 3 in Java integer arithmetic? And which inputs are wrong?",
        full = "count the i with expected.get(i).equals(predicted.get(i)); check the sizes first.")
    @Points(1)
    @DisplayName("one wrong character makes a translation wrong: 2 of 4 right is 0.5")
    void exact() {
        List<String> expected = List.of("2023-03-07", "1979-05-03", "2001-12-31", "1950-01-01");
        List<String> predicted = List.of("2023-03-07", "1979-05-04", "2001-12-31", "1950-01-1");
        assertEquals(0.5, ExactMatchAccuracy.accuracy(predicted, expected), 1e-12,
            "accuracy of 2 exactly right out of 4");
        assertEquals(1.0, ExactMatchAccuracy.accuracy(expected, expected), 1e-12, "all right");
    }

    @Test
    @Hint(value = "What is 1 / 3 in Java integer arithmetic? And which inputs are wrong?",
        full = "count the i with expected.get(i).equals(predicted.get(i)); check the sizes first.")
    @Points(1)
    @DisplayName("lists of different sizes, or no examples, are rejected with IllegalArgumentException; 1 of 3 is 1/3")
    void rejectsBadInput() {
        // Paired with a real computation, so throwing on every call earns nothing here.
        assertEquals(1.0 / 3, ExactMatchAccuracy.accuracy(List.of("2020-01-01", "x", "1999-09-09"),
            List.of("2020-01-01", "1999-12-31", "1999-09-19")), 1e-12, "accuracy of 1 exactly right out of 3");
        assertThrows(IllegalArgumentException.class,
            () -> ExactMatchAccuracy.accuracy(List.of("a", "b"), List.of("a")), "2 predictions, 1 answer");
        assertThrows(IllegalArgumentException.class,
            () -> ExactMatchAccuracy.accuracy(List.of(), List.of()), "no examples");
    }
}
