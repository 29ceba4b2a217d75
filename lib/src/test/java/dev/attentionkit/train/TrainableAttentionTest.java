package dev.attentionkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.ScaledDotProductAttention;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.score.MultiplicativeScore;
import dev.attentionkit.testkit.Seeded;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff modules compute exactly what the plain modules compute on the same weights, write trained
 * weights back, and their gradients agree with finite differences (GradCheckUtil, in double precision).
 */
@DisplayName("Trainable (SameDiff) attention modules")
class TrainableAttentionTest {
    private static final long B = 2;
    private static final long T = 4;
    private static final long D_IN = 3;
    private static final long D_OUT = 4;
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        previous = Nd4j.dataType();
        // Finite differences need double precision: float's 1e-7 resolution swamps eps = 1e-6 steps.
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    /** Seeded inputs in [-0.5, 0.5), float64 for the finite differences. */
    private static INDArray random(long seed, long... shape) {
        return Seeded.array(seed, shape).castTo(DataType.DOUBLE).muli(0.5);
    }

    /** Builds {@code loss = sum(output · r)} for a fixed random r, so every output entry gets its own gradient. */
    private static SDVariable markLoss(SameDiff sd, SDVariable out, long... shape) {
        SDVariable loss = sd.sum("loss", out.mul(sd.constant("r", random(99, shape))));
        loss.markAsLoss();
        return loss;
    }

    private static void assertSame(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.length(), actual.length(), what + ": sizes");
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).reshape(-1)
            .norm1Number().doubleValue();
        assertTrue(diff < 1e-9 * expected.length(), what + ": SameDiff and plain forward differ by " + diff);
    }

    private static void assertGradients(SameDiff sd, Map<String, INDArray> inputs) {
        // Up to 6 evenly spaced entries per array keep the check fast; every array is still covered.
        boolean ok = GradCheckUtil.checkGradients(sd, inputs, 1e-6, 1e-5, 1e-8, false, false, false, false,
            null, null, 6, GradCheckUtil.Subset.EVERY_N);
        assertTrue(ok, "analytic and numerical gradients differ (see GradCheckUtil's log)");
    }

    @Test
    @DisplayName("scaled dot-product attention: same forward as the plain function, gradients check")
    void scaledDotProduct() {
        INDArray q = random(1, B, 3, D_OUT);
        INDArray k = random(2, B, T, D_OUT);
        INDArray v = random(3, B, T, 5);
        SameDiff sd = SameDiff.create();
        SDVariable sq = sd.var("q", q);
        SDVariable sk = sd.var("k", k);
        SDVariable sv = sd.var("v", v);
        TrainableAttentionOutput out = TrainableScaledDotProductAttention.apply(sq, sk, sv, D_OUT, null);
        markLoss(sd, out.context(), B, 3, 5);
        Map<String, INDArray> got = sd.output(Map.of(), out.context().name(), out.weights().name());
        var plain = ScaledDotProductAttention.apply(q, k, v);
        assertSame(plain.context(), got.get(out.context().name()), "context");
        assertSame(plain.weights(), got.get(out.weights().name()), "weights");
        assertGradients(sd, Map.of());
    }

    @Test
    @DisplayName("causal attention: same forward as CausalAttention, gradients check, weights written back")
    void causal() {
        CausalAttention plain = CausalAttention.fromWeights(random(20, D_OUT, D_IN), random(21, D_OUT, D_IN),
            random(22, D_OUT, D_IN), 6);
        INDArray x = random(4, B, T, D_IN);
        SameDiff sd = SameDiff.create();
        SDVariable sx = sd.var("x", x);
        TrainableCausalAttention att = TrainableCausalAttention.from(sd, "causal", plain);
        TrainableAttentionOutput out = att.attend(sx);
        markLoss(sd, out.context(), B, T, D_OUT);
        Map<String, INDArray> got = sd.output(Map.of(), out.context().name(), out.weights().name());
        var expected = plain.eval().attend(x);
        assertSame(expected.context(), got.get(out.context().name()), "context");
        assertSame(expected.weights(), got.get(out.weights().name()), "weights");
        assertGradients(sd, Map.of());

        // Change the SameDiff weights, write them back, and the plain module follows.
        att.query().weight().getArr().addi(0.25);
        CausalAttention back = att.toPlain();
        INDArray again = sd.output(Map.of(), out.context().name()).get(out.context().name());
        assertSame(back.eval().forward(x), again, "context after writing back");
    }

    @Test
    @DisplayName("multi-head attention: same forward as MultiHeadAttention, gradients check")
    void multiHead() {
        MultiHeadAttention plain = MultiHeadAttention.fromWeights(random(23, D_OUT, D_IN), random(24, D_OUT, D_IN),
            random(25, D_OUT, D_IN), random(26, D_OUT, D_OUT), random(27, D_OUT), 2, 6);
        INDArray x = random(5, B, T, D_IN);
        SameDiff sd = SameDiff.create();
        SDVariable sx = sd.var("x", x);
        TrainableMultiHeadAttention mha = TrainableMultiHeadAttention.from(sd, "mha", plain);
        TrainableAttentionOutput out = mha.attend(sx);
        markLoss(sd, out.context(), B, T, D_OUT);
        Map<String, INDArray> got = sd.output(Map.of(), out.context().name(), out.weights().name());
        var expected = plain.eval().attend(x);
        assertSame(expected.context(), got.get(out.context().name()), "context");
        assertSame(expected.weights(), got.get(out.weights().name()), "weights [b, h, t, t]");
        assertGradients(sd, Map.of());
        assertSame(plain.outProj().weight(), mha.toPlain().outProj().weight(), "outProj written back");
    }

    @Test
    @DisplayName("additive (Bahdanau) score: same scores as AdditiveScore, gradients check")
    void additive() {
        AdditiveScore plain = AdditiveScore.fromWeights(random(6, 5, 3), random(7, 5, D_OUT), random(8, 5));
        checkScore(plain::scores, sd -> TrainableAdditiveScore.from(sd, "add", plain), 3);
    }

    @Test
    @DisplayName("multiplicative (Luong) score: same scores as MultiplicativeScore, gradients check")
    void multiplicative() {
        MultiplicativeScore plain = MultiplicativeScore.fromWeights(random(9, 3, D_OUT));
        checkScore(plain::scores, sd -> TrainableMultiplicativeScore.from(sd, "mul", plain), 3);
    }

    private static void checkScore(java.util.function.BinaryOperator<INDArray> plain,
                                   Function<SameDiff, TrainableScore> trainable, long dQ) {
        INDArray q = random(10, B, 2, dQ);
        INDArray k = random(11, B, T, D_OUT);
        SameDiff sd = SameDiff.create();
        // Inputs as variables, so the check covers their gradients too.
        SDVariable sq = sd.var("q", q);
        SDVariable sk = sd.var("k", k);
        SDVariable scores = trainable.apply(sd).scores(sq, sk);
        // Through softmax and a weighted sum, as attention uses them.
        SDVariable context = sd.mmul(sd.nn.softmax(scores, -1), sk);
        markLoss(sd, context, B, 2, D_OUT);
        INDArray got = sd.output(Map.of(), scores.name()).get(scores.name());
        assertSame(plain.apply(q, k), got, "scores");
        assertGradients(sd, Map.of());
    }

    @Test
    @DisplayName("a Linear round-trips through TrainableLinear unchanged")
    void linearRoundTrip() {
        Linear plain = Linear.fromWeights(random(12, 3, 2), random(13, 3));
        SameDiff sd = SameDiff.create();
        Linear back = TrainableLinear.from(sd, "lin", plain).toPlain();
        assertSame(plain.weight(), back.weight(), "weight");
        assertSame(plain.bias().orElseThrow(), back.bias().orElseThrow(), "bias");
    }
}
