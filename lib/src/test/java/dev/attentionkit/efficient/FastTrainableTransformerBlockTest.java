package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.train.TrainableTransformerBlock;
import dev.attentionkit.transformer.FeedForward;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

@DisplayName("The pre-LN transformer block with a hand-derived backward pass")
class FastTrainableTransformerBlockTest {
    static final int B = 2, T = 5, D = 8, H = 2, HIDDEN = 16;

    /** Seeded uniform values in [-1, 1), float64. */
    static INDArray r(long seed, long... shape) {
        return Seeded.array(seed, shape).castTo(DataType.DOUBLE);
    }

    /** A block with every weight seeded (layer norms away from γ = 1, β = 0, so their gradients matter). */
    static TransformerBlock plain(long seed, boolean causal, int tokens) {
        MultiHeadAttention mha = MultiHeadAttention.fromWeights(r(seed, D, D), r(seed + 1, D, D), r(seed + 2, D, D),
            r(seed + 3, D, D), r(seed + 4, D), H, tokens);
        return TransformerBlock.of(LayerNorm.fromWeights(r(seed + 5, D).addi(1.5), r(seed + 6, D), 1e-5),
            causal ? mha : mha.bidirectional(),
            LayerNorm.fromWeights(r(seed + 7, D).addi(1.5), r(seed + 8, D), 1e-5),
            FeedForward.fromLayers(Linear.fromWeights(r(seed + 9, HIDDEN, D), r(seed + 10, HIDDEN)),
                Linear.fromWeights(r(seed + 11, D, HIDDEN), r(seed + 12, D))));
    }

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("the forward pass equals the plain TransformerBlock's")
    void forwardEqualsPlain(boolean causal) {
        TransformerBlock plain = plain(1, causal, T);
        INDArray x = r(20, B, T, D);
        INDArray expected = plain.forward(x);
        INDArray y = FastTrainableTransformerBlock.from(plain).forward(x);
        assertArrayEquals(expected.shape(), y.shape());
        assertTrue(y.equalsWithEps(expected, 1e-12), () -> "max |diff| " + y.sub(expected).amaxNumber());
    }

    @Test
    @DisplayName("in float32 the forward pass agrees with the plain block's, and the gradients with float64's, to float rounding")
    void float32Forward() {
        TransformerBlock p64 = plain(1, true, T);
        MultiHeadAttention m = (MultiHeadAttention) p64.attention();
        TransformerBlock p32 = TransformerBlock.of(f(p64.ln1()),
            MultiHeadAttention.fromWeights(f(m.query().weight()), f(m.key().weight()), f(m.value().weight()),
                f(m.outProj().weight()), f(m.outProj().bias().orElseThrow()), H, T),
            f(p64.ln2()), FeedForward.fromLayers(Linear.fromWeights(f(p64.ffn().fc1().weight()), f(p64.ffn().fc1().bias().orElseThrow())),
                Linear.fromWeights(f(p64.ffn().fc2().weight()), f(p64.ffn().fc2().bias().orElseThrow()))));
        INDArray x = r(20, B, T, D), g = r(21, B, T, D);
        INDArray expected = p64.forward(x);
        FastTrainableTransformerBlock fast32 = FastTrainableTransformerBlock.from(p32), fast64 = FastTrainableTransformerBlock.from(p64);
        INDArray y = fast32.forward(x.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, y.dataType());
        double diff = y.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, "max |diff| " + diff);
        // the float32 backward (its own row loops for the ReLU) against the float64 one
        fast32.backward(g.castTo(DataType.FLOAT));
        fast64.forward(x);
        fast64.backward(g);
        for (String name : fast64.gradients().keySet()) {
            INDArray e = fast64.gradients().get(name), a = fast32.gradients().get(name).castTo(DataType.DOUBLE);
            double worst = a.sub(e).amaxNumber().doubleValue(), scale = Math.max(1, e.amaxNumber().doubleValue());
            assertTrue(worst < 1e-4 * scale, () -> name + ": float32 vs float64 max |diff| " + worst);
        }
    }

    private static INDArray f(INDArray x) {
        return x.castTo(DataType.FLOAT);
    }

    private static LayerNorm f(LayerNorm ln) {
        return LayerNorm.fromWeights(f(ln.gamma()), f(ln.beta()), ln.eps());
    }

    /** The loss the checks differentiate: sum(y ⊙ g) for a fixed random g. */
    static double loss(INDArray y, INDArray g) {
        return y.mul(g).sumNumber().doubleValue();
    }

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("every gradient (layer norms, attention, feed-forward, input) agrees with central finite differences in float64")
    void gradientsMatchFiniteDifferences(boolean causal) {
        FastTrainableTransformerBlock block = FastTrainableTransformerBlock.from(plain(1, causal, T));
        INDArray x = r(20, B, T, D), g = r(21, B, T, D);
        block.forward(x);
        INDArray dX = block.backward(g);
        Map<String, INDArray> analytic = new LinkedHashMap<>(block.gradients());
        analytic.put("x", dX);
        Map<String, INDArray> targets = new LinkedHashMap<>(block.parameters());
        targets.put("x", x);
        assertEquals(block.parameters().keySet(), block.gradients().keySet());
        List<String> failures = finiteDifferences(targets, analytic, () -> loss(block.forward(x), g));
        assertTrue(failures.isEmpty(), () -> failures.size() + " gradients off, e.g. " + failures.subList(0, Math.min(5, failures.size())));
    }

    /** Central differences of {@code loss} for every entry of every target, against the analytic gradient of the same name. */
    static List<String> finiteDifferences(Map<String, INDArray> targets, Map<String, INDArray> analytic,
                                          java.util.function.DoubleSupplier loss) {
        List<String> failures = new ArrayList<>();
        double h = 1e-6;
        for (Map.Entry<String, INDArray> e : targets.entrySet()) {
            INDArray p = e.getValue(), a = analytic.get(e.getKey());
            assertArrayEquals(p.shape(), a.shape(), e.getKey());
            for (long i = 0; i < p.length(); i++) {
                double old = p.getDouble(i);
                p.putScalar(i, old + h);
                double up = loss.getAsDouble();
                p.putScalar(i, old - h);
                double down = loss.getAsDouble();
                p.putScalar(i, old);
                double numeric = (up - down) / (2 * h), value = a.getDouble(i);
                if (Math.abs(numeric - value) > 1e-6 * Math.max(1, Math.abs(numeric))) {
                    failures.add(e.getKey() + "[" + i + "]: numeric " + numeric + ", analytic " + value);
                }
            }
        }
        return failures;
    }

    @Test
    @DisplayName("the gradients equal SameDiff's for TrainableTransformerBlock (causal, mean(y²), 70 tokens: two blocks of queries)")
    void gradientsEqualSameDiff() {
        int tokens = 70;
        TransformerBlock plain = plain(1, true, tokens);
        INDArray x = r(22, B, tokens, D);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, B, tokens, D);
        SDVariable y = TrainableTransformerBlock.from(sd, "block", plain).attend(in, tokens, CausalMask.of(tokens)).context();
        SDVariable loss = y.mul(y).sum().div((double) B * tokens * D);
        sd.setLossVariables(loss);
        FastTrainableTransformerBlock block = FastTrainableTransformerBlock.from(plain);
        List<String> names = block.parameters().keySet().stream().map(n -> "block." + n).toList();
        Map<String, INDArray> expected = sd.calculateGradients(Map.of("x", x), names);

        INDArray out = block.forward(x);
        block.backward(out.mul(2.0 / (B * tokens * D)));
        for (String name : block.gradients().keySet()) {
            INDArray e = expected.get("block." + name), a = block.gradients().get(name).reshape(e.shape());
            assertTrue(a.equalsWithEps(e, 1e-12), () -> name + ": max |diff| " + a.sub(e).amaxNumber());
        }
    }

    @Test
    @DisplayName("bad input is refused with a message naming the problem")
    void badInput() {
        FastTrainableTransformerBlock block = FastTrainableTransformerBlock.from(plain(1, true, T));
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> block.backward(Nd4j.zeros(DataType.DOUBLE, B, T, D)));
        assertTrue(early.getMessage().contains("forward first"), early.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> block.forward(Nd4j.zeros(DataType.DOUBLE, B, T, D + 1)));
        assertTrue(width.getMessage().contains("[2, 5, 9]"), width.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> block.forward(Nd4j.zeros(DataType.FLOAT, B, T, D)));
        assertTrue(type.getMessage().contains("FLOAT"), type.getMessage());
        block.forward(r(20, B, T, D));
        IllegalArgumentException dy = assertThrows(IllegalArgumentException.class, () -> block.backward(Nd4j.zeros(DataType.DOUBLE, B, T + 1, D)));
        assertTrue(dy.getMessage().contains("[2, 6, 8]"), dy.getMessage());
        TransformerBlock mixed = TransformerBlock.of(LayerNorm.of(D), ((TransformerBlock) plain(1, true, T)).attention(), LayerNorm.of(D),
            plain(1, true, T).ffn());
        IllegalArgumentException types = assertThrows(IllegalArgumentException.class, () -> FastTrainableTransformerBlock.from(mixed));
        assertTrue(types.getMessage().contains("ln1.weight"), types.getMessage());
    }
}
