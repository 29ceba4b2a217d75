package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Seeded;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10.4 Query heads to shared key/value heads")
// What this exercise may not call: the kit's own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.pretrained.GroupedQueryAttention",
    "dev.attentionkit.pretrained.LlamaDecoder"})
class GroupedHeadsTest {

    @Test
    @Points(1)
    @Hint(value = "Are the groups consecutive or interleaved? Write out SmolLM2's 9 query heads over 3 key/value heads.",
        full = "Each key/value head serves queryHeads / kvHeads consecutive query heads, so query head h reads h / (queryHeads / kvHeads).")
    @DisplayName("by hand: SmolLM2's 9 query heads over 3 kv heads, 12 over 4, and the two extremes")
    void byHand() {
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, map(9, 3), "kvHead(h, 9, 3) for h = 0..8");
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}, map(12, 4), "kvHead(h, 12, 4) for h = 0..11");
        assertArrayEquals(new int[] {0, 1, 2, 3}, map(4, 4), "kvHead(h, 4, 4): as many kv heads as query heads is multi-head attention");
        assertArrayEquals(new int[] {0, 0, 0, 0}, map(4, 1), "kvHead(h, 4, 1): one kv head is multi-query attention");
    }

    @Test
    @Points(1)
    @Hint(value = "How many query heads does each key/value head serve, and in what order?",
        full = "Each key/value head serves queryHeads / kvHeads consecutive query heads, so query head h reads h / (queryHeads / kvHeads).")
    @DisplayName("every query head of 20 random layouts (up to 8 kv heads, groups of up to 6)")
    void randomLayouts() {
        Random random = Seeded.random(104);
        for (int layout = 0; layout < 20; layout++) {
            int kvHeads = 1 + random.nextInt(8);
            int group = 1 + random.nextInt(6);
            int queryHeads = kvHeads * group;
            // Reference: deal the query heads out in order, group by group.
            int[] expected = new int[queryHeads];
            int next = 0;
            for (int kv = 0; kv < kvHeads; kv++) {
                for (int g = 0; g < group; g++) {
                    expected[next++] = kv;
                }
            }
            assertArrayEquals(expected, map(queryHeads, kvHeads),
                "kvHead(h, " + queryHeads + ", " + kvHeads + ") for h = 0.." + (queryHeads - 1));
        }
    }

    @Test
    @Points(1)
    @Hint(value = "Which layouts cannot be split into equal groups, and which query heads do not exist?",
        full = "Throw IllegalArgumentException when kvHeads < 1, queryHeads is not a positive multiple of kvHeads, or queryHead is outside 0..queryHeads-1; the last query head reads the last kv head.")
    @DisplayName("a layout without equal groups or a query head that does not exist is rejected; the last head reads the last kv head")
    void badInput() {
        Random random = Seeded.random(105);
        int kvHeads = 2 + random.nextInt(6);
        int queryHeads = kvHeads * (2 + random.nextInt(4));
        assertEquals(kvHeads - 1, GroupedHeads.kvHead(queryHeads - 1, queryHeads, kvHeads),
            "kvHead(" + (queryHeads - 1) + ", " + queryHeads + ", " + kvHeads + "): the last query head");
        assertEquals(0, GroupedHeads.kvHead(0, queryHeads, kvHeads), "kvHead(0, " + queryHeads + ", " + kvHeads + ")");
        assertThrows(IllegalArgumentException.class, () -> GroupedHeads.kvHead(0, queryHeads, 0),
            "kvHead(0, " + queryHeads + ", kvHeads = 0)");
        assertThrows(IllegalArgumentException.class, () -> GroupedHeads.kvHead(0, queryHeads + 1, kvHeads),
            "kvHead(0, " + (queryHeads + 1) + ", " + kvHeads + "): not a multiple");
        assertThrows(IllegalArgumentException.class, () -> GroupedHeads.kvHead(0, 0, 1),
            "kvHead(0, queryHeads = 0, 1)");
        assertThrows(IllegalArgumentException.class, () -> GroupedHeads.kvHead(queryHeads, queryHeads, kvHeads),
            "kvHead(" + queryHeads + ", " + queryHeads + ", " + kvHeads + "): query heads run 0.." + (queryHeads - 1));
        assertThrows(IllegalArgumentException.class, () -> GroupedHeads.kvHead(-1, queryHeads, kvHeads),
            "kvHead(-1, " + queryHeads + ", " + kvHeads + ")");
    }

    private static int[] map(int queryHeads, int kvHeads) {
        return IntStream.range(0, queryHeads).map(h -> GroupedHeads.kvHead(h, queryHeads, kvHeads)).toArray();
    }
}
