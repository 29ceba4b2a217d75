package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.train.TrainableMultiHeadAttention;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Multi-head attention with a hand-derived backward pass")
class FastTrainableMultiHeadAttentionTest {
    private static final int B = 2, T = 5, D = 8, H = 2;

    /** Seeded uniform values in [-1, 1), float64. */
    private static INDArray r(long seed, long... shape) {
        return Seeded.array(seed, shape).castTo(DataType.DOUBLE);
    }

    private static MultiHeadAttention plain() {
        return MultiHeadAttention.fromWeights(r(1, D, D), r(2, D, D), r(3, D, D),
            r(4, D, D), r(5, D), H, T);
    }

    /** The loss the checks differentiate: sum(y ⊙ g), for a fixed random g, so every output entry matters. */
    private static double loss(FastTrainableMultiHeadAttention m, INDArray x, INDArray g, boolean causal) {
        return m.forward(x, causal).mul(g).sumNumber().doubleValue();
    }

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("the forward pass equals the plain MultiHeadAttention's")
    void forwardEqualsPlain(boolean causal) {
        MultiHeadAttention plain = plain();
        INDArray x = r(6, B, T, D);
        INDArray expected = causal ? plain.forward(x) : plain.bidirectional().attend(x).context();
        INDArray y = FastTrainableMultiHeadAttention.from(plain).forward(x, causal);
        assertArrayEquals(expected.shape(), y.shape());
        assertTrue(y.equalsWithEps(expected, 1e-12), () -> "max |diff| " + y.sub(expected).amaxNumber());
    }

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("every gradient (weights, bias, input) agrees with central finite differences in float64")
    void gradientsMatchFiniteDifferences(boolean causal) {
        FastTrainableMultiHeadAttention m = FastTrainableMultiHeadAttention.from(plain());
        INDArray x = r(6, B, T, D);
        INDArray g = r(7, B, T, D);
        m.forward(x, causal);
        INDArray dX = m.backward(g);
        Map<String, INDArray> grads = m.gradients();
        List<String> failures = new ArrayList<>();
        double h = 1e-6;
        Map<String, INDArray> targets = new java.util.LinkedHashMap<>(m.parameters());
        targets.put("x", x);
        for (Map.Entry<String, INDArray> e : targets.entrySet()) {
            INDArray p = e.getValue();
            INDArray analytic = e.getKey().equals("x") ? dX : grads.get(e.getKey());
            assertArrayEquals(p.shape(), analytic.shape(), e.getKey());
            for (long i = 0; i < p.length(); i++) {
                double old = p.getDouble(i);
                p.putScalar(i, old + h);
                double up = loss(m, x, g, causal);
                p.putScalar(i, old - h);
                double down = loss(m, x, g, causal);
                p.putScalar(i, old);
                double numeric = (up - down) / (2 * h), a = analytic.getDouble(i);
                if (Math.abs(numeric - a) > 1e-6 * Math.max(1, Math.abs(numeric))) {
                    failures.add(e.getKey() + "[" + i + "]: numeric " + numeric + ", analytic " + a);
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " gradients off, e.g. " + failures.subList(0, Math.min(5, failures.size())));
    }

    @Test
    @DisplayName("the gradients equal SameDiff's for TrainableMultiHeadAttention on the same weights (causal, mean(y²))")
    void gradientsEqualSameDiff() {
        MultiHeadAttention plain = plain();
        INDArray x = r(8, B, T, D);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, B, T, D);
        SDVariable y = TrainableMultiHeadAttention.from(sd, "mha", plain).attend(in).context();
        SDVariable loss = y.mul(y).sum().div((double) B * T * D);
        sd.setLossVariables(loss);
        Map<String, INDArray> expected = sd.calculateGradients(Map.of("x", x),
            List.of("mha.W_query.weight", "mha.W_key.weight", "mha.W_value.weight", "mha.out_proj.weight", "mha.out_proj.bias"));

        FastTrainableMultiHeadAttention m = FastTrainableMultiHeadAttention.from(plain);
        INDArray out = m.forward(x, true);
        m.backward(out.mul(2.0 / (B * T * D)));
        for (String name : List.of("W_query.weight", "W_key.weight", "W_value.weight", "out_proj.weight", "out_proj.bias")) {
            INDArray e = expected.get("mha." + name), a = m.gradients().get(name);
            assertTrue(a.reshape(e.shape()).equalsWithEps(e, 1e-12), () -> name + ": max |diff| " + a.reshape(e.shape()).sub(e).amaxNumber());
        }
    }

    @ParameterizedTest(name = "{0} tokens")
    @ValueSource(ints = {64, 65, 150})
    @DisplayName("causal tiles over several blocks of queries: forward equals the plain module's, gradients equal SameDiff's")
    void severalQueryBlocks(int tokens) {
        assertStepEqualsSameDiff(B, tokens, D, H);
    }

    @Test
    @DisplayName("products cut into several pieces of rows (b·t > 256 rows, 3d > 128 weight rows): gradients still equal SameDiff's")
    void productsInPieces() {
        assertStepEqualsSameDiff(2, 150, 48, 4);          // 300 rows: pieces of 256 + 44; dW_qkv's 144 rows: 128 + 16
    }

    /** Forward equals the plain module's and every gradient equals SameDiff's (float64, loss mean(y²)). */
    private static void assertStepEqualsSameDiff(int b, int tokens, int d, int h) {
        MultiHeadAttention plain = MultiHeadAttention.fromWeights(r(1, d, d), r(2, d, d), r(3, d, d), r(4, d, d), r(5, d), h, tokens);
        INDArray x = r(9, b, tokens, d);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, b, tokens, d);
        SDVariable y = TrainableMultiHeadAttention.from(sd, "mha", plain).attend(in).context();
        SDVariable loss = y.mul(y).sum().div((double) b * tokens * d);
        sd.setLossVariables(loss);
        List<String> names = List.of("W_query.weight", "W_key.weight", "W_value.weight", "out_proj.weight", "out_proj.bias");
        Map<String, INDArray> expected = sd.calculateGradients(Map.of("x", x), names.stream().map(n -> "mha." + n).toList());

        FastTrainableMultiHeadAttention m = FastTrainableMultiHeadAttention.from(plain);
        INDArray out = m.forward(x, true);
        INDArray reference = plain.forward(x);
        assertTrue(out.equalsWithEps(reference, 1e-12), () -> "forward: max |diff| " + out.sub(reference).amaxNumber());
        m.backward(out.mul(2.0 / (b * tokens * d)));
        for (String name : names) {
            INDArray e = expected.get("mha." + name), a = m.gradients().get(name).reshape(e.shape());
            assertTrue(a.equalsWithEps(e, 1e-12), () -> name + ": max |diff| " + a.sub(e).amaxNumber());
        }
    }

    @Test
    @DisplayName("float32 step on all cores gives the same floats as the same step on one thread, and the same on every run")
    void parallelEqualsSerial() {
        int b = 3, tokens = 100, d = 64, h = 4;            // 300 rows (2 pieces), 192 weight rows (2 pieces), 12 tiles
        MultiHeadAttention plain = MultiHeadAttention.fromWeights(r(1, d, d).castTo(DataType.FLOAT), r(2, d, d).castTo(DataType.FLOAT),
            r(3, d, d).castTo(DataType.FLOAT), r(4, d, d).castTo(DataType.FLOAT), r(5, d).castTo(DataType.FLOAT), h, tokens);
        INDArray x = r(9, b, tokens, d).castTo(DataType.FLOAT), g = r(10, b, tokens, d).castTo(DataType.FLOAT);
        FastTrainableMultiHeadAttention m = FastTrainableMultiHeadAttention.from(plain);
        List<float[]> first = step(m, x, g), again = step(m, x, g);
        // One thread: inside a single tile every nested run goes in order on the calling thread.
        List<List<float[]>> serial = new ArrayList<>();
        ParallelTiles.run(1, DataType.FLOAT, 0, (tile, unused) -> serial.add(step(m, x, g)));
        List<String> what = List.of("y", "dx", "W_query.weight", "W_key.weight", "W_value.weight", "out_proj.weight", "out_proj.bias");
        for (int i = 0; i < what.size(); i++) {
            assertArrayEquals(first.get(i), again.get(i), what.get(i) + ": a second run on all cores differs");
            assertArrayEquals(first.get(i), serial.get(0).get(i), what.get(i) + ": one thread differs from all cores");
        }
    }

    /** y, dx and the gradients (in {@link #parallelEqualsSerial}'s order) of one step with dY = g. */
    private static List<float[]> step(FastTrainableMultiHeadAttention m, INDArray x, INDArray g) {
        List<float[]> out = new ArrayList<>();
        out.add(m.forward(x, true).dup().data().asFloat());
        out.add(m.backward(g).dup().data().asFloat());
        for (String name : List.of("W_query.weight", "W_key.weight", "W_value.weight", "out_proj.weight", "out_proj.bias")) {
            out.add(m.gradients().get(name).dup('c').data().asFloat());
        }
        return out;
    }

    @Test
    @DisplayName("bad input is refused with a message naming the problem")
    void badInput() {
        FastTrainableMultiHeadAttention m = FastTrainableMultiHeadAttention.from(plain());
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> m.backward(Nd4j.zeros(DataType.DOUBLE, B, T, D)));
        assertTrue(early.getMessage().contains("forward first"), early.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
            () -> m.forward(Nd4j.zeros(DataType.DOUBLE, B, T, D + 1), true));
        assertTrue(width.getMessage().contains("[2, 5, 9]"), width.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
            () -> m.forward(Nd4j.zeros(DataType.FLOAT, B, T, D), true));
        assertTrue(type.getMessage().contains("FLOAT"), type.getMessage());
        m.forward(r(6, B, T, D), true);
        IllegalArgumentException dy = assertThrows(IllegalArgumentException.class, () -> m.backward(Nd4j.zeros(DataType.DOUBLE, B, T + 1, D)));
        assertTrue(dy.getMessage().contains("[2, 6, 8]"), dy.getMessage());
    }
}
