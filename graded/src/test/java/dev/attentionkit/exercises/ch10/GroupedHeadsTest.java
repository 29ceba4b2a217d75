package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.Points;
import dev.attentionkit.pretrained.GroupedQueryAttention;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10.4 Query heads to shared key/value heads")
class GroupedHeadsTest {
    
    @Test
    @Hint("each group has queryHeads / kvHeads query heads.")
    @Points(1)
    @DisplayName("SmolLM2's 9 query heads over 3 kv heads, and the two extremes")
    void byHand() {
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, map(9, 3), "9 query heads, 3 kv heads");
        assertArrayEquals(new int[] {0, 1, 2, 3}, map(4, 4), "4 and 4: ordinary multi-head attention");
        assertArrayEquals(new int[] {0, 0, 0, 0}, map(4, 1), "4 and 1: multi-query attention");
    }

    @Test
    @Hint("each group has queryHeads / kvHeads query heads.")
    @Points(1)
    @DisplayName("equal to the kit's GroupedQueryAttention for every valid layout up to 32 heads")
    void likeTheKit() {
        for (int queryHeads = 1; queryHeads <= 32; queryHeads++) {
            for (int kvHeads = 1; kvHeads <= queryHeads; kvHeads++) {
                if (queryHeads % kvHeads != 0) {
                    continue;
                }
                for (int h = 0; h < queryHeads; h++) {
                    assertEquals(GroupedQueryAttention.kvHeadOf(h, queryHeads, kvHeads), GroupedHeads.kvHead(h, queryHeads, kvHeads),
                        String.format("kvHead(%d, %d, %d)", h, queryHeads, kvHeads));
                }
            }
        }
    }

    private static int[] map(int queryHeads, int kvHeads) {
        return IntStream.range(0, queryHeads).map(h -> GroupedHeads.kvHead(h, queryHeads, kvHeads)).toArray();
    }
}
