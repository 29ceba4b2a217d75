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

    @Test
    @DisplayName("character accuracy counts equal characters at equal positions; lengths must match")
    void characters() {
        // 10 + 9 right out of 20 (the second differs in its last character only)
        assertEquals(19 / 20.0, ExactMatch.characterAccuracy(List.of("2023-03-07", "2023-03-08"),
            List.of("2023-03-07", "2023-03-07")), 1e-12);
        var e = assertThrows(IllegalArgumentException.class,
            () -> ExactMatch.characterAccuracy(List.of("2023"), List.of("2023-03-07")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("entry 0"), e.getMessage());
    }
}
