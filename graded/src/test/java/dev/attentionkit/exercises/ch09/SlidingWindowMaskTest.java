package dev.attentionkit.exercises.ch09;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("9.1 The sliding-window mask")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.mask.*",
    "dev.attentionkit.efficient.*"})
class SlidingWindowMaskTest {

    @Test
    @Points(1)
    @Hint(value = "How far apart may a query and a key be for a window of w? Try w = 1.",
        full = "Query i keeps key j when |i - j| < window: window 2 keeps the diagonal and one neighbour on each side.")
    @DisplayName("6 tokens, window 2, both directions: a band of width 3; window 1 is the diagonal")
    void band() {
        // Written out by hand: row i keeps columns i-1, i, i+1.
        String[] expected = {
            "XX....",
            "XXX...",
            ".XXX..",
            "..XXX.",
            "...XXX",
            "....XX"};
        assertPattern(expected, SlidingWindowMask.mask(6, 2, false), "mask(6, 2, causal = false)");
        // The narrowest window, 1, keeps the diagonal only.
        assertPattern(new String[] {"X...", ".X..", "..X.", "...X"}, SlidingWindowMask.mask(4, 1, false),
            "mask(4, 1, causal = false)");
    }

    @Test
    @Points(1)
    @Hint(value = "In the causal form, may a query look forward?",
        full = "Causal: keep only keys at or before the query (j <= i), and still within the window.")
    @DisplayName("6 tokens, window 3, causal: each query sees itself and the two before it")
    void causalBand() {
        String[] expected = {
            "X.....",
            "XX....",
            "XXX...",
            ".XXX..",
            "..XXX.",
            "...XXX"};
        assertPattern(expected, SlidingWindowMask.mask(6, 3, true), "mask(6, 3, causal = true)");
    }

    @Test
    @Points(1)
    @Hint(value = "What does a very wide window hide, and what should a window below 1 do?",
        full = "A window at least as long as the sequence hides nothing but the future (when causal); a window below 1 throws IllegalArgumentException.")
    @DisplayName("a window longer than the sequence is full (or causal) attention; a window of 0 is rejected")
    void wideWindow() {
        assertThrows(IllegalArgumentException.class, () -> SlidingWindowMask.mask(5, 0, false), "mask(5, window = 0, false)");
        boolean[][] full = SlidingWindowMask.mask(5, 9, false);
        boolean[][] causal = SlidingWindowMask.mask(5, 9, true);
        assertNotNull(full, "mask(5, 9, false) returned null");
        assertNotNull(causal, "mask(5, 9, true) returned null");
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(true, full[i][j], "mask(5, 9, false)[" + i + "][" + j + "]");
                assertEquals(j <= i, causal[i][j], "mask(5, 9, true)[" + i + "][" + j + "]");
            }
        }
    }

    private static void assertPattern(String[] expected, boolean[][] actual, String what) {
        if (actual == null) {
            fail(what + " returned null");
        }
        if (actual.length != expected.length || actual[0].length != expected[0].length()) {
            fail(String.format("%s: expected %d x %d, got %d x %d", what, expected.length, expected[0].length(),
                actual.length, actual.length == 0 ? 0 : actual[0].length));
        }
        StringBuilder got = new StringBuilder();
        for (boolean[] row : actual) {
            got.append('\n');
            for (boolean keep : row) {
                got.append(keep ? 'X' : '.');
            }
        }
        assertEquals("\n" + String.join("\n", expected), got.toString(), what + " (X = attend, . = masked)");
    }
}
