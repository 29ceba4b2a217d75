package dev.attentionkit.longrange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Associative recall: the long-range task")
class LongRangeTaskTest {

    /** The answer found the slow way: scan the pairs for the query key. */
    private static int lookUp(int[] tokens) {
        int query = tokens[tokens.length - 1];
        int found = -1;
        for (int i = 0; i + 1 < tokens.length - 2; i += 2) {
            if (tokens[i] == query) {
                assertEquals(-1, found, "the query key names exactly one pair");
                found = i + 1;
            }
        }
        assertTrue(found > 0, "the query key is one of the pairs' keys");
        return found;
    }

    @ParameterizedTest(name = "{0} pairs")
    @ValueSource(ints = {1, 6, 31, 32})
    @DisplayName("pairs of distinct keys and values, '?' and a query key; the label is the value paired with it")
    void generator(int pairs) {
        for (LongRangeExample e : LongRangeTask.mixed(200, pairs, pairs)) {
            int[] t = e.tokens();
            assertEquals(2 * pairs + 2, t.length);
            assertEquals(pairs, e.pairs());
            Set<Integer> keys = new HashSet<>();
            for (int i = 0; i < 2 * pairs; i += 2) {
                assertTrue(t[i] >= 1 && t[i] <= LongRangeTask.KEYS, "key token at " + i + ": " + t[i]);
                assertTrue(keys.add(t[i]), "keys of one sequence are distinct");
                assertTrue(t[i + 1] >= LongRangeTask.FIRST_VALUE && t[i + 1] < LongRangeTask.vocabularySize(),
                    "value token at " + (i + 1) + ": " + t[i + 1]);
            }
            assertEquals(LongRangeTask.QUERY, t[t.length - 2]);
            int value = lookUp(t);
            assertEquals(t[value] - LongRangeTask.FIRST_VALUE, e.label(), e.toString());
            assertEquals(value, e.valuePosition());
            assertEquals(t.length - 1 - value, e.distance());
            assertEquals(LongRangeTask.VOCABULARY.get(t[value]), LongRangeTask.valueName(e.label()));
        }
    }

    @Test
    @DisplayName("the test set has every position of the deciding pair, nearest first, in equal numbers")
    void everyDistance() {
        List<LongRangeExample> test = LongRangeTask.atEveryDistance(3, 5, 11);
        assertEquals(15, test.size());
        for (int i = 0; i < test.size(); i++) {
            assertEquals(2 * (i / 3 + 1), test.get(i).distance());
            assertEquals(test.get(i).valuePosition(), lookUp(test.get(i).tokens()));
        }
        Random random = new Random(3);
        for (int after = 0; after < 7; after++) {
            assertEquals(2 * after + 2, LongRangeTask.example(7, after, random).distance());
        }
    }

    @Test
    @DisplayName("the same seed gives the same data, another seed other data; labels are spread over the 10 values")
    void seeds() {
        assertEquals(LongRangeTask.mixed(50, 8, 9), LongRangeTask.mixed(50, 8, 9));
        assertNotEquals(LongRangeTask.mixed(50, 8, 9), LongRangeTask.mixed(50, 8, 10));
        int[] counts = new int[LongRangeTask.CLASSES];
        LongRangeTask.mixed(2000, 8, 1).forEach(e -> counts[e.label()]++);
        for (int c : counts) {
            assertTrue(c > 140 && c < 260, "each class near 200 of 2000: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    @DisplayName("bad arguments are refused with a message naming them")
    void badArguments() {
        Random r = new Random(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeTask.example(0, 0, r))
            .getMessage().contains("pairs must be in 1..32"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeTask.mixed(5, 33, 1))
            .getMessage().contains("got 33"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeTask.example(4, 4, r))
            .getMessage().contains("pairsAfter must be in 0..3"));
        assertThrows(IllegalArgumentException.class, () -> LongRangeTask.example(4, -1, r));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeTask.mixed(-1, 4, 1))
            .getMessage().contains("n must be >= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeTask.atEveryDistance(0, 4, 1))
            .getMessage().contains("perDistance"));
        assertThrows(IllegalArgumentException.class, () -> LongRangeTask.valueName(10));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new LongRangeConfig(8, 16, 2, 100, 4, 0, 1, 0.01, 1, 1)).getMessage().contains("batchSize"));
        assertThrows(IllegalArgumentException.class, () -> new LongRangeConfig(8, 16, 2, 100, 4, 8, 1, Double.NaN, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LongRangeConfig(40, 16, 2, 100, 4, 8, 1, 0.01, 1, 1));
    }
}
