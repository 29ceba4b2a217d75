package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10.3 One KV-cache step: append, attend")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.pretrained.LlamaDecoder",
    "dev.attentionkit.pretrained.GroupedQueryAttention",
    "dev.attentionkit.attention.*",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.tensor.Softmax",
    "org.nd4j.linalg.ops.transforms.Transforms#softmax",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax",
    "org.nd4j.linalg.factory.ops.NDNN#softmax",
    "*#dotProductAttention",
    "*#multiHeadDotProductAttention"})
class KvCacheStepTest {

    @Test
    @Points(1)
    @Hint(value = "What does the first token of a sequence attend to? And where does append put the new row?",
        full = "append returns the old rows in order followed by the new one; attend scores the query against every cached key (its own included), softmaxes the scores and sums the values with those weights.")
    @DisplayName("by hand: appending to an empty cache; one cached token gives its value; equal scores average the values")
    void byHand() {
        double[][] keys = Check.notNull(KvCacheStep.append(new double[0][], new double[] {1, 0}), "append(empty cache, [1, 0])");
        double[][] values = Check.notNull(KvCacheStep.append(new double[0][], new double[] {1, 2}), "append(empty cache, [1, 2])");
        assertRows(new double[][] {{1, 0}}, keys, "append(empty cache, [1, 0])");
        assertArrayEquals(new double[] {1, 2}, Check.notNull(KvCacheStep.attend(new double[] {3, 4}, keys, values), "attend"), 1e-12,
            "attend([3, 4], keys [[1, 0]], values [[1, 2]]): one cached token has weight 1, so the context is its value");
        keys = KvCacheStep.append(keys, new double[] {5, 5});
        values = KvCacheStep.append(values, new double[] {3, 6});
        assertRows(new double[][] {{1, 0}, {5, 5}}, keys, "append([[1, 0]], [5, 5]): the old row first, then the new one");
        // query [0, 0]: both scores are 0, so the context is the mean of the two values.
        assertArrayEquals(new double[] {2, 4}, Check.notNull(KvCacheStep.attend(new double[] {0, 0}, keys, values), "attend"), 1e-12,
            "attend([0, 0], 2 keys, values [[1, 2], [3, 6]]): equal scores, so the mean of the values");
    }

    @Test
    @Points(2)
    @Hint(value = "Step by step, each token's context should be one row of causal attention: is every score scaled?",
        full = "s_j = query · keys_j / sqrt(d) for every cached key j (d = query.length); w = softmax(s) with the largest score subtracted; context = Σ_j w_j values_j.")
    @DisplayName("six random tokens one step at a time (append, append, attend): each context is that row of causal attention")
    void likeCausalAttention() {
        Random random = Seeded.random(103);
        int t = 6;
        int d = 4;
        int dv = 3;
        double[][] q = Seeded.gaussian(random, 1, t, d);
        double[][] k = Seeded.gaussian(random, 1, t, d);
        double[][] v = Seeded.gaussian(random, 1, t, dv);
        double[][] expected = Loops.attention(q, k, v, Loops.Keep.CAUSAL);
        double[][] keys = new double[0][];
        double[][] values = new double[0][];
        for (int i = 0; i < t; i++) {
            keys = Check.notNull(KvCacheStep.append(keys, k[i]), "append(keys, key " + i + ")");
            values = Check.notNull(KvCacheStep.append(values, v[i]), "append(values, value " + i + ")");
            assertRows(Arrays.copyOf(k, i + 1), keys, "the keys after step " + i);
            assertRows(Arrays.copyOf(v, i + 1), values, "the values after step " + i);
            double[] c = Check.notNull(KvCacheStep.attend(q[i], keys, values), "attend at step " + i);
            assertArrayEquals(expected[i], c, 1e-9, "step " + i + ": row " + i + " of softmax(causal(Q Kᵀ / sqrt(" + d + "))) V");
        }
    }

    @Test
    @Points(1)
    @Hint(value = "How large can exp get? Try scores in the thousands.",
        full = "Subtract the largest score before exp: exp(s_j - max) stays finite and gives the same weights.")
    @DisplayName("caches filled earlier, with scores far beyond what exp can hold: every context stays finite and exact")
    void largeScores() {
        Random random = Seeded.random(113);
        int t = 6;
        int d = 8;
        double[][] q = Seeded.gaussian(random, 40, t, d);
        double[][] k = Seeded.gaussian(random, 40, t, d);
        double[][] v = Seeded.gaussian(random, 1, t, 2);
        double[][] expected = Loops.attention(q, k, v, Loops.Keep.CAUSAL);
        for (int i = 0; i < t; i++) {            // the cache of tokens 0..i, as a decoder holds it at step i
            double[] c = Check.notNull(KvCacheStep.attend(q[i], Arrays.copyOf(k, i + 1), Arrays.copyOf(v, i + 1)), "attend");
            assertArrayEquals(expected[i], c, 1e-9, "attend(query " + i + ", " + (i + 1) + " cached keys, values), scores up to "
                + String.format("%.0f", maxAbsScore(q[i], Arrays.copyOf(k, i + 1))));
        }
    }

    @Test
    @Points(1)
    @Hint(value = "What can attend not do with an empty cache, and what must a new row have in common with the cached ones?",
        full = "Throw IllegalArgumentException when append gets a row not as long as the cached rows, and when attend gets an empty cache, keys and values of different lengths, or a key not as long as the query.")
    @DisplayName("rows of the wrong length, an empty cache and keys without values are rejected; a good step still works")
    void badInput() {
        Random random = Seeded.random(123);
        double[][] k = Seeded.gaussian(random, 1, 3, 4);
        double[][] v = Seeded.gaussian(random, 1, 3, 2);
        double[][] q = Seeded.gaussian(random, 1, 3, 4);
        double[][] keys = {k[0], k[1]};
        double[][] values = {v[0], v[1]};
        assertThrows(IllegalArgumentException.class, () -> KvCacheStep.append(keys, new double[3]),
            "append(keys of 4 features, a key of 3)");
        assertThrows(IllegalArgumentException.class, () -> KvCacheStep.attend(q[2], new double[0][], new double[0][]),
            "attend(query, empty cache)");
        assertThrows(IllegalArgumentException.class, () -> KvCacheStep.attend(q[2], k, values),
            "attend(query, 3 keys, 2 values)");
        assertThrows(IllegalArgumentException.class, () -> KvCacheStep.attend(new double[3], k, v),
            "attend(a query of 3 features, keys of 4)");
        double[][] grown = Check.notNull(KvCacheStep.append(keys, k[2]), "append(keys, key 2)");
        assertRows(k, grown, "append(2 keys, key 2)");
        double[] c = Check.notNull(KvCacheStep.attend(q[2], grown, KvCacheStep.append(values, v[2])), "attend");
        assertArrayEquals(Loops.attention(q, k, v, Loops.Keep.CAUSAL)[2], c, 1e-9, "the good step after the rejected ones");
    }

    private static double maxAbsScore(double[] query, double[][] k) {
        double max = 0;
        for (double[] key : k) {
            double s = 0;
            for (int f = 0; f < query.length; f++) {
                s += query[f] * key[f];
            }
            max = Math.max(max, Math.abs(s / Math.sqrt(query.length)));
        }
        return max;
    }

    private static void assertRows(double[][] expected, double[][] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": the number of rows");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0, what + ": row " + i);
        }
    }
}
