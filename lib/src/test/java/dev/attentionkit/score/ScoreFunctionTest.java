package dev.attentionkit.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every score function against a plain double loop written from its formula. */
@DisplayName("Score functions agree with naive loops")
class ScoreFunctionTest {
    private static final double TOL = 1e-5;
    private static final int B = 2;
    private static final int NQ = 3;
    private static final int NK = 5;
    private static final int DQ = 4;
    private static final int DK = 6;
    private static final int H = 7;

    /** A score function with its reference formula for one (query, key) pair. */
    record Case(String name, ScoreFunction score, int dK, BiFunction<double[], double[], Double> formula) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        MultiplicativeScore mult = MultiplicativeScore.fromWeights(Seeded.array(10, DQ, DK));
        double[][] w = Values.of2(mult.w());
        AdditiveScore add = AdditiveScore.fromWeights(Seeded.array(11, H, DQ), Seeded.array(12, H, DK),
            Seeded.array(13, H));
        double[][] wq = Values.of2(add.wQ());
        double[][] wk = Values.of2(add.wK());
        double[] v = Values.flat(add.v());
        return Stream.of(
            Arguments.of(new Case("dot product", ScoreFunction.dotProduct(), DQ, Loops::dot)),
            Arguments.of(new Case("scaled dot product", ScoreFunction.scaledDotProduct(), DQ,
                (q, k) -> Loops.dot(q, k) / Math.sqrt(DQ))),
            Arguments.of(new Case("multiplicative qᵀWk", mult, DK,
                (q, k) -> Loops.dot(q, Loops.linear(k, w, null)))),
            Arguments.of(new Case("additive vᵀtanh(W_q q + W_k k)", add, DK, (q, k) -> Loops.additiveScore(q, k, wq, wk, v))));
    }

    @ParameterizedTest(name = "{0}, batched")
    @MethodSource("cases")
    @DisplayName("[batch, queries, keys] scores equal the formula on every pair")
    void batched(Case c) {
        INDArray queries = Seeded.array(1, B, NQ, DQ);
        INDArray keys = Seeded.array(2, B, NK, c.dK());
        INDArray scores = c.score().scores(queries, keys);
        assertArrayEquals(new long[] {B, NQ, NK}, scores.shape());
        double[][][] q = Values.of3(queries);
        double[][][] k = Values.of3(keys);
        double[][][] expected = new double[B][NQ][NK];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < NQ; i++) {
                for (int j = 0; j < NK; j++) {
                    expected[b][i][j] = c.formula().apply(q[b][i], k[b][j]);
                }
            }
        }
        Check.assertClose(expected, scores, TOL, c.name());
    }

    @ParameterizedTest(name = "{0}, unbatched")
    @MethodSource("cases")
    @DisplayName("[queries, keys] scores for inputs without a batch axis")
    void unbatched(Case c) {
        INDArray queries = Seeded.array(3, NQ, DQ);
        INDArray keys = Seeded.array(4, NK, c.dK());
        INDArray scores = c.score().scores(queries, keys);
        double[][] q = Values.of2(queries);
        double[][] k = Values.of2(keys);
        double[][] expected = new double[NQ][NK];
        for (int i = 0; i < NQ; i++) {
            for (int j = 0; j < NK; j++) {
                expected[i][j] = c.formula().apply(q[i], k[j]);
            }
        }
        Check.assertClose(expected, scores, TOL, c.name());
    }

    @Test
    @DisplayName("location-based: scores are W_a·q cut to the number of keys, whatever the keys hold")
    void location() {
        LocationScore score = LocationScore.fromWeights(Seeded.array(20, 8, DQ));
        double[][] wa = Values.of2(score.wA());
        INDArray queries = Seeded.array(21, B, NQ, DQ);
        INDArray keys = Seeded.array(22, B, NK, 9);
        INDArray scores = score.scores(queries, keys);
        double[][][] q = Values.of3(queries);
        double[][][] expected = new double[B][NQ][];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < NQ; i++) {
                expected[b][i] = java.util.Arrays.copyOf(Loops.linear(q[b][i], wa, null), NK);
            }
        }
        Check.assertClose(expected, scores, TOL, "location");
        assertArrayEquals(Values.flat(scores), Values.flat(score.scores(queries, keys.mul(-3))), 0.0,
            "key values do not matter");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> score.scores(queries, Seeded.array(23, B, 9, 2)));
        assertTrue(e.getMessage().contains("maxKeys = 8"), e.getMessage());
    }

    @Test
    @DisplayName("trainable scores from a seed: reproducible, PyTorch's nn.Linear bounds, weights exposed")
    void fromSeed() {
        AdditiveScore a = AdditiveScore.fromSeed(DQ, DK, H, 5);
        assertEquals(a.wQ(), AdditiveScore.fromSeed(DQ, DK, H, 5).wQ());
        assertArrayEquals(new long[] {H, DQ}, a.wQ().shape());
        assertArrayEquals(new long[] {H, DK}, a.wK().shape());
        assertArrayEquals(new long[] {H}, a.v().shape());
        assertEquals((long) H * DQ + (long) H * DK + H, a.parameterCount());
        assertTrue(a.wQ().amaxNumber().doubleValue() <= 1 / Math.sqrt(DQ));
        assertTrue(a.v().amaxNumber().doubleValue() <= 1 / Math.sqrt(H));
        MultiplicativeScore m = MultiplicativeScore.fromSeed(DQ, DK, 5);
        assertArrayEquals(new long[] {DQ, DK}, m.w().shape());
        assertArrayEquals(new long[] {8, DQ}, LocationScore.fromSeed(DQ, 8, 5).wA().shape());
    }

    @Test
    @DisplayName("the first torch.rand-style draws of seed 123 fill W_q of the additive score row by row")
    void seededDrawOrder() {
        // nn.Linear(4, 7) after torch.manual_seed(123) draws uniform(-1/2, 1/2): torch.rand(28) - 0.5 ... scaled.
        double[] rand = Values.flat(dev.attentionkit.nn.TorchRandom.manualSeed(123).rand(H * DQ));
        double[] w = Values.flat(AdditiveScore.fromSeed(DQ, DK, H, 123).wQ());
        for (int i = 0; i < rand.length; i++) {
            assertEquals(rand[i] - 0.5, w[i], 1e-6, "element " + i); // bound 1/sqrt(4) = 0.5: u·1 - 0.5
        }
    }

    @Test
    @DisplayName("wrong feature sizes are rejected naming the shapes")
    void wrongShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MultiplicativeScore.fromSeed(DQ, DK, 1).scores(Seeded.array(1, B, NQ, DQ), Seeded.array(2, B, NK, 3)));
        assertTrue(e.getMessage().contains("[2, 5, 3]") && e.getMessage().contains("6"), e.getMessage());
        IllegalArgumentException dot = assertThrows(IllegalArgumentException.class,
            () -> ScoreFunction.dotProduct().scores(Seeded.array(1, B, NQ, DQ), Seeded.array(2, 3, NK, DQ)));
        assertTrue(dot.getMessage().contains("[2, 3, 4]") && dot.getMessage().contains("[3, 5, 4]"), dot.getMessage());
        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
            () -> AdditiveScore.fromWeights(Seeded.array(1, H, DQ), Seeded.array(2, H + 1, DK), Seeded.array(3, H)));
        assertTrue(weights.getMessage().contains("[8, 6]"), weights.getMessage());
    }
}
