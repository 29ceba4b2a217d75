package dev.attentionkit.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ExactMatch: only fully right translations count")
class ExactMatchTest {
    @Test
    @DisplayName("one character off is wrong")
    void exact() {
        assertEquals(0.5, ExactMatch.accuracy(List.of("2023-03-07", "2023-03-08"), List.of("2023-03-07", "2023-03-07")));
        assertThrows(IllegalArgumentException.class, () -> ExactMatch.accuracy(List.of("a"), List.of()));
    }
}
