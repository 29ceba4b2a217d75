package dev.attentionkit.exercises.ch08;

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

@DisplayName("8.4 Talking heads: heads mix their logits and their weights")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.*",
    "dev.attentionkit.efficient.*",
    "dev.attentionkit.longrange.*",
    "dev.attentionkit.train.*",
    "dev.attentionkit.tensor.Softmax",
    "org.nd4j.linalg.ops.transforms.Transforms#softmax",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax",
    "org.nd4j.linalg.factory.ops.NDNN#softmax",
    "org.nd4j.linalg.factory.Nd4j#einsum"})
class TalkingHeadsTest {

    @Test
    @Points(1)
    @Hint(value = "out[j] is a sum over the source heads i: which index of mix belongs to i, which to j?",
        full = "out[j][t][u] = sum over i of maps[i][t][u] * mix[i][j]; the identity mix returns a copy of maps.")
    @DisplayName("mix: the identity keeps every map; a random [3][3] mix gives Σ_i maps[i]·mix[i][j]")
    void mix() {
        Random random = Seeded.random(841);
        double[][][] maps = Seeded.uniform(random, -2, 2, 3, 4, 5);
        double[][][] before = copy(maps);
        double[][] mix = Seeded.uniform(random, -1, 1, 3, 3);
        double[][][] got = Check.notNull(TalkingHeads.mix(maps, identity(3)), "mix(maps, identity)");
        assertSame3(maps, got, 0, "mix(maps, identity)");
        double[][][] expected = new double[3][4][5];
        for (int j = 0; j < 3; j++) {
            for (int t = 0; t < 4; t++) {
                for (int u = 0; u < 5; u++) {
                    for (int i = 0; i < 3; i++) {
                        expected[j][t][u] += maps[i][t][u] * mix[i][j];
                    }
                }
            }
        }
        assertSame3(expected, Check.notNull(TalkingHeads.mix(maps, mix), "mix(maps, mix)"), 1e-12, "mix(maps, mix)");
        assertSame3(before, maps, 0, "mix must not change maps");
    }

    @Test
    @Points(1)
    @Hint(value = "With both mixes the identity, each head is plain scaled dot-product attention: softmax(q·kᵀ/√hd).",
        full = "logits[i][t][u] = (q[i][t] · k[i][u]) / Math.sqrt(hd); then mix with logitsMix, softmax each row (subtract its max), mix with weightsMix.")
    @DisplayName("weights with identity mixes: every head's own softmax(q·kᵀ/√hd), 2 heads, 3 queries, 5 keys")
    void independentHeads() {
        Random random = Seeded.random(842);
        double[][][] q = Seeded.uniform(random, -2, 2, 2, 3, 4);
        double[][][] k = Seeded.uniform(random, -2, 2, 2, 5, 4);
        double[][][] got = Check.notNull(TalkingHeads.weights(q, k, identity(2), identity(2)), "weights(q, k, I, I)");
        for (int h = 0; h < 2; h++) {
            double[][] expected = Loops.weights(q[h], k[h], Loops.Keep.ALL);
            assertEquals(3, got[h].length, "weights[" + h + "].length (queries)");
            for (int t = 0; t < 3; t++) {
                assertArrayEquals(expected[t], got[h][t], 1e-9, "weights[" + h + "][" + t + "] with identity mixes");
            }
        }
        // Logits in the hundreds of thousands: exp overflows unless each row's maximum is taken off first.
        for (double[][] head : q) {
            for (double[] row : head) {
                for (int c = 0; c < row.length; c++) {
                    row[c] *= 1000;
                }
            }
        }
        double[][][] large = Check.notNull(TalkingHeads.weights(q, k, identity(2), identity(2)), "weights(1000·q, k, I, I)");
        for (int h = 0; h < 2; h++) {
            double[][] expected = Loops.weights(q[h], k[h], Loops.Keep.ALL);
            for (int t = 0; t < 3; t++) {
                assertArrayEquals(expected[t], large[h][t], 1e-9, "weights[" + h + "][" + t + "] with large logits");
            }
        }
    }

    @Test
    @Points(2)
    @Hint(value = "Mix the logits before the softmax and the weights after it, each with its own matrix.",
        full = "l_j = Σ_i logits_i · logitsMix[i][j]; a_j = softmax of each row of l_j; w_j = Σ_i a_i · weightsMix[i][j] (rows of w need not sum to 1).")
    @DisplayName("weights with random mixes: 3 heads, 4 queries, 6 keys, against a plain-loop reference")
    void mixedWeights() {
        Random random = Seeded.random(843);
        double[][][] q = Seeded.uniform(random, -2, 2, 3, 4, 2);
        double[][][] k = Seeded.uniform(random, -2, 2, 3, 6, 2);
        double[][] logitsMix = Seeded.uniform(random, -1, 1, 3, 3);
        double[][] weightsMix = Seeded.uniform(random, -1, 1, 3, 3);
        double[][][] expected = reference(q, k, logitsMix, weightsMix);
        assertSame3(expected, Check.notNull(TalkingHeads.weights(q, k, logitsMix, weightsMix), "weights(q, k, Pl, Pw)"), 1e-9,
            "weights(q, k, logitsMix, weightsMix)");
    }

    @Test
    @Points(1)
    @Hint(value = "Each head's context uses that head's mixed weights and that head's values.",
        full = "c[j][t] = Σ_u w[j][t][u] · v[j][u] with w from weights(q, k, logitsMix, weightsMix); a mix that is not [heads][heads] throws IllegalArgumentException.")
    @DisplayName("attend: context = w_j · v_j per head (random mixes); a mix of the wrong size is rejected")
    void context() {
        Random random = Seeded.random(844);
        double[][][] q = Seeded.uniform(random, -2, 2, 2, 3, 3);
        double[][][] k = Seeded.uniform(random, -2, 2, 2, 4, 3);
        double[][][] v = Seeded.uniform(random, -2, 2, 2, 4, 5);
        double[][] logitsMix = Seeded.uniform(random, -1, 1, 2, 2);
        double[][] weightsMix = Seeded.uniform(random, -1, 1, 2, 2);
        double[][][] w = reference(q, k, logitsMix, weightsMix);
        double[][][] expected = new double[2][][];
        for (int h = 0; h < 2; h++) {
            expected[h] = Loops.matmul(w[h], v[h]);
        }
        assertSame3(expected, Check.notNull(TalkingHeads.attend(q, k, v, logitsMix, weightsMix), "attend(q, k, v, Pl, Pw)"),
            1e-9, "attend(q, k, v, logitsMix, weightsMix)");
        assertThrows(IllegalArgumentException.class, () -> TalkingHeads.attend(q, k, v, Seeded.uniform(random, -1, 1, 3, 3),
            weightsMix), "attend with a [3][3] logitsMix for 2 heads");
        assertThrows(IllegalArgumentException.class, () -> TalkingHeads.mix(q, new double[][] {{1, 0}, {0}}),
            "mix with a ragged [2][?] matrix");
        assertThrows(IllegalArgumentException.class, () -> TalkingHeads.mix(q, new double[][] {{1, 0}, {0, 1}, {1, 1}}),
            "mix with a [3][2] matrix for 2 heads");
    }

    private static double[][][] reference(double[][][] q, double[][][] k, double[][] pl, double[][] pw) {
        int h = q.length;
        double[][][] s = new double[h][][];
        for (int i = 0; i < h; i++) {
            s[i] = Loops.matmul(q[i], Loops.transpose(k[i]));
        }
        double[][][] a = new double[h][][];
        for (int j = 0; j < h; j++) {
            double[][] l = new double[q[0].length][k[0].length];
            for (int i = 0; i < h; i++) {
                for (int t = 0; t < l.length; t++) {
                    for (int u = 0; u < l[t].length; u++) {
                        l[t][u] += s[i][t][u] / Math.sqrt(q[0][0].length) * pl[i][j];
                    }
                }
            }
            a[j] = Loops.softmaxRows(l);
        }
        double[][][] w = new double[h][q[0].length][k[0].length];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < h; i++) {
                for (int t = 0; t < w[j].length; t++) {
                    for (int u = 0; u < w[j][t].length; u++) {
                        w[j][t][u] += a[i][t][u] * pw[i][j];
                    }
                }
            }
        }
        return w;
    }

    private static double[][] identity(int n) {
        double[][] eye = new double[n][n];
        for (int i = 0; i < n; i++) {
            eye[i][i] = 1;
        }
        return eye;
    }

    private static double[][][] copy(double[][][] x) {
        double[][][] c = new double[x.length][][];
        for (int i = 0; i < x.length; i++) {
            c[i] = new double[x[i].length][];
            for (int j = 0; j < x[i].length; j++) {
                c[i][j] = x[i][j].clone();
            }
        }
        return c;
    }

    private static void assertSame3(double[][][] expected, double[][][] got, double tol, String what) {
        assertEquals(expected.length, got.length, what + ": heads");
        for (int h = 0; h < expected.length; h++) {
            assertEquals(expected[h].length, got[h].length, what + "[" + h + "]: rows");
            for (int t = 0; t < expected[h].length; t++) {
                assertArrayEquals(expected[h][t], got[h][t], tol, what + "[" + h + "][" + t + "]");
            }
        }
    }
}
