package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.Points;
import dev.attentionkit.pretrained.RotaryEmbedding;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("10.2 Rotating a query with RoPE")
class RopeTest {
    
    @Test
    @Hint("for i in 0..d/2-1, angle = position * Math.pow(base, -2.0 * i / d); rotate (x[2i], x[2i1]) by it.")
    @Points(1)
    @DisplayName("by hand: position 0 changes nothing; pair 0 turns by the position in radians")
    void byHand() {
        double[] x = {1, 0, 2, 3};
        assertArrayEquals(x, Rope.rotate(x, 0, 10000), 1e-12, "rotate(x, 0, 10000)");
        double[] r = Rope.rotate(x, 1, 10000);
        assertEquals(Math.cos(1), r[0], 1e-12, "rotate([1, 0, 2, 3], 1, 10000)[0] = cos(1)");
        assertEquals(Math.sin(1), r[1], 1e-12, "rotate([1, 0, 2, 3], 1, 10000)[1] = sin(1)");
        double a = Math.pow(10000, -0.5);   // pair 1: θ = base^(-2/4)
        assertEquals(2 * Math.cos(a) - 3 * Math.sin(a), r[2], 1e-12, "pair 1, first feature");
        assertEquals(2 * Math.sin(a) + 3 * Math.cos(a), r[3], 1e-12, "pair 1, second feature");
        assertArrayEquals(new double[] {1, 0, 2, 3}, x, 0, "rotate must not change its argument");
    }

    @Test
    @Hint("for i in 0..d/2-1, angle = position * Math.pow(base, -2.0 * i / d); rotate (x[2i], x[2i1]) by it.")
    @Points(1)
    @DisplayName("equal to the kit's RotaryEmbedding, and scores depend only on the distance")
    void likeTheKit() {
        Random random = new Random(10);
        double[] q = random.doubles(64, -1, 1).toArray();
        double[] k = random.doubles(64, -1, 1).toArray();
        RotaryEmbedding rope = new RotaryEmbedding(64, 100000);
        for (int p : new int[] {1, 7, 300}) {
            double[] expected = rope.apply(Nd4j.create(q, new long[] {1, 1, 1, 64}, 'c'), p).data().asDouble();
            assertArrayEquals(expected, Rope.rotate(q, p, 100000), 1e-9, "rotate(q, " + p + ", 100000)");
        }
        assertEquals(dot(Rope.rotate(q, 9, 100000), Rope.rotate(k, 4, 100000)),
            dot(Rope.rotate(q, 105, 100000), Rope.rotate(k, 100, 100000)), 1e-9, "q at 9 · k at 4 vs q at 105 · k at 100");
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
