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
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10.2 Rotating a query with RoPE")
// What this exercise may not call: the kit's own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.pretrained.RotaryEmbedding",
    "dev.attentionkit.pretrained.LlamaDecoder"})
class RopeTest {

    @Test
    @Points(1)
    @Hint(value = "Which features form a pair, and how fast does each pair turn? Try x = [1, 0, 2, 3] at position 1.",
        full = "Pair i is (x[2i], x[2i+1]); it turns by position * Math.pow(base, -2.0 * i / d) radians: x'[2i] = x[2i] cos - x[2i+1] sin, x'[2i+1] = x[2i] sin + x[2i+1] cos.")
    @DisplayName("by hand: position 0 changes nothing; at position 1 pair 0 turns by 1 radian, pair 1 by 10000^(-1/2)")
    void byHand() {
        double[] x = {1, 0, 2, 3};
        assertArrayEquals(x, Check.notNull(Rope.rotate(x, 0, 10000), "rotate(x, 0, 10000)"), 1e-12, "rotate([1, 0, 2, 3], position 0, 10000)");
        double[] r = Check.notNull(Rope.rotate(x, 1, 10000), "rotate(x, 1, 10000)");
        assertEquals(4, r.length, "rotate([1, 0, 2, 3], 1, 10000).length");
        assertEquals(Math.cos(1), r[0], 1e-12, "rotate([1, 0, 2, 3], 1, 10000)[0] = cos(1)");
        assertEquals(Math.sin(1), r[1], 1e-12, "rotate([1, 0, 2, 3], 1, 10000)[1] = sin(1)");
        double a = 0.01;   // pair 1 of 4 features: 10000^(-2/4)
        assertEquals(2 * Math.cos(a) - 3 * Math.sin(a), r[2], 1e-12, "rotate([1, 0, 2, 3], 1, 10000)[2]: pair 1 turns by 0.01 rad");
        assertEquals(2 * Math.sin(a) + 3 * Math.cos(a), r[3], 1e-12, "rotate([1, 0, 2, 3], 1, 10000)[3]: pair 1 turns by 0.01 rad");
        assertArrayEquals(new double[] {1, 0, 2, 3}, x, 0, "rotate must not change its argument");
    }

    @Test
    @Points(2)
    @Hint(value = "Check the angle of every pair, not only the first: what is θ_i for pair i of d features?",
        full = "For i in 0..d/2-1: a = position * Math.pow(base, -2.0 * i / d); (x[2i], x[2i+1]) becomes (x[2i] cos a - x[2i+1] sin a, x[2i] sin a + x[2i+1] cos a).")
    @DisplayName("a random 64-feature head at three random positions, base 100000 (SmolLM2's)")
    void randomHead() {
        Random random = Seeded.random(102);
        double[] x = random.doubles(64, -1, 1).toArray();
        double[] before = x.clone();
        for (int n = 0; n < 3; n++) {
            int position = random.nextInt(2048);
            // Reference: each pair as the complex number x[2i] + i·x[2i+1], times e^(i·angle).
            double[] expected = new double[64];
            for (int pair = 0; pair < 32; pair++) {
                double angle = position * Math.exp(-2.0 * pair / 64 * Math.log(100000));
                double re = x[2 * pair];
                double im = x[2 * pair + 1];
                expected[2 * pair] = re * Math.cos(angle) - im * Math.sin(angle);
                expected[2 * pair + 1] = re * Math.sin(angle) + im * Math.cos(angle);
            }
            double[] got = Check.notNull(Rope.rotate(x, position, 100000), "rotate(x, " + position + ", 100000)");
            assertArrayEquals(expected, got, 1e-9, "rotate(x, " + position + ", 100000)");
        }
        assertArrayEquals(before, x, 0, "rotate must not change its argument");
    }

    @Test
    @Points(1)
    @Hint(value = "Rotating q and k by their positions should leave q · k depending on the distance alone.",
        full = "Every pair of q and of k turns by position * θ_i, so (q at m) · (k at n) depends only on m - n; each pair keeps its length.")
    @DisplayName("the score of q at m and k at n depends only on m - n, and rotation keeps each pair's length")
    void relativePositions() {
        Random random = Seeded.random(103);
        double[] q = random.doubles(16, -1, 1).toArray();
        double[] k = random.doubles(16, -1, 1).toArray();
        int m = random.nextInt(50);
        int n = random.nextInt(50);
        int shift = 1 + random.nextInt(500);
        double near = Loops.dot(Check.notNull(Rope.rotate(q, m, 10000), "rotate(q)"), Check.notNull(Rope.rotate(k, n, 10000), "rotate(k)"));
        double far = Loops.dot(Rope.rotate(q, m + shift, 10000), Rope.rotate(k, n + shift, 10000));
        assertEquals(near, far, 1e-9, String.format("q at %d · k at %d vs q at %d · k at %d", m, n, m + shift, n + shift));
        double[] r = Rope.rotate(q, m + shift, 10000);
        for (int pair = 0; pair < 8; pair++) {
            assertEquals(Math.hypot(q[2 * pair], q[2 * pair + 1]), Math.hypot(r[2 * pair], r[2 * pair + 1]), 1e-12,
                "length of pair " + pair + " after rotate(q, " + (m + shift) + ", 10000)");
        }
    }

    @Test
    @Points(1)
    @Hint(value = "What can RoPE not do with an odd number of features, a negative position or a base of 0?",
        full = "Throw IllegalArgumentException for an odd or empty x, a negative position, or a base that is not > 0 (NaN included); two features at position p become [cos p, sin p] for x = [1, 0], whatever the base.")
    @DisplayName("odd or empty heads, negative positions and bases <= 0 are rejected; 2 features at a random position turn by it")
    void badInput() {
        int position = Seeded.random(104).nextInt(1000);
        double[] r = Check.notNull(Rope.rotate(new double[] {1, 0}, position, 500), "rotate([1, 0], " + position + ", 500)");
        assertArrayEquals(new double[] {Math.cos(position), Math.sin(position)}, r, 1e-9,
            "rotate([1, 0], " + position + ", 500): pair 0 turns by the position in radians");
        assertThrows(IllegalArgumentException.class, () -> Rope.rotate(new double[] {1, 2, 3}, 1, 10000), "rotate(3 features)");
        assertThrows(IllegalArgumentException.class, () -> Rope.rotate(new double[0], 1, 10000), "rotate(0 features)");
        assertThrows(IllegalArgumentException.class, () -> Rope.rotate(new double[] {1, 0}, -1, 10000), "rotate(position -1)");
        assertThrows(IllegalArgumentException.class, () -> Rope.rotate(new double[] {1, 0}, 1, 0), "rotate(base 0)");
        assertThrows(IllegalArgumentException.class, () -> Rope.rotate(new double[] {1, 0}, 1, Double.NaN), "rotate(base NaN)");
    }
}
