package dev.attentionkit.longrange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.TalkingHeadsAttention;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Long-range transformer with interacting heads: talking heads and gates, backward passes and training")
class HeadInteractionTest {
    private static final LongRangeConfig SMALL = new LongRangeConfig(3, 8, 4, 64, 4, 16, 1, 0.01, 3, 1);
    private static int threads;

    @BeforeAll
    static void oneThread() {
        threads = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        Nd4j.getEnvironment().setMaxThreads(threads);
    }

    static Stream<HeadInteraction> interactions() {
        return Stream.of(HeadInteraction.TALKING_HEADS, HeadInteraction.gated(0.05),
            new HeadInteraction(true, true, 0.05));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interactions")
    @DisplayName("every parameter's gradient (the mixes and every gate included) matches central finite differences (float64)")
    void gradients(HeadInteraction interaction) {
        LongRangeClassifier m = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL, DataType.DOUBLE,
            interaction);
        List<LongRangeExample> batch = LongRangeTask.mixed(5, SMALL.pairs(), 8);
        for (int i = 0; i < 3; i++) {
            m.fitBatch(batch);             // away from the identity mixes and equal gates
        }
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        m.lossAndGradients(batch, gradients);
        assertEquals(m.parameters().keySet(), gradients.keySet(), "one gradient per parameter");
        if (interaction.talkingHeads()) {
            assertTrue(gradients.containsKey("block.attention.logitsMix")
                && gradients.containsKey("block.attention.weightsMix"), gradients.keySet().toString());
        }
        if (interaction.gates()) {
            assertTrue(gradients.containsKey("block.attention.gates"), gradients.keySet().toString());
        }
        Random random = new Random(6);
        double eps = 1e-6;
        for (Map.Entry<String, INDArray> p : m.parameters().entrySet()) {
            INDArray w = p.getValue();
            INDArray g = gradients.get(p.getKey()).reshape(w.shape());
            boolean gates = p.getKey().endsWith("gates");
            int checks = gates ? (int) w.length() : p.getKey().contains("Mix") ? 5 : 2;   // every gate, 5 of each mix
            for (int n = 0; n < checks; n++) {
                long i = gates ? n : random.nextInt((int) w.length());
                double saved = w.getDouble(i);
                w.putScalar(i, saved + eps);
                double up = m.loss(batch) + m.penalty();
                w.putScalar(i, saved - eps);
                double down = m.loss(batch) + m.penalty();
                w.putScalar(i, saved);
                double numeric = (up - down) / (2 * eps);
                double analytic = g.getDouble(i);
                assertEquals(numeric, analytic, 1e-7 + 1e-4 * Math.abs(numeric),
                    interaction + " " + p.getKey() + "[" + i + "]: finite differences " + numeric + ", backward " + analytic);
            }
        }
    }

    @Test
    @DisplayName("untrained talking heads (identity mixes) give exactly chapter 08's transformer; NONE is chapter 08's")
    void identityMixesAreIndependentHeads() {
        List<LongRangeExample> data = LongRangeTask.mixed(16, SMALL.pairs(), 4);
        double plain = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL).loss(data);
        assertEquals(plain, LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL,
            HeadInteraction.TALKING_HEADS).loss(data), 0.0);
        assertEquals(plain, LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL, HeadInteraction.NONE)
            .loss(data), 0.0);
        LongRangeClassifier gated = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL,
            HeadInteraction.gated(0.1));
        double g0 = 1 / (1 + Math.exp(-HeadInteraction.INITIAL_GATE_LOGIT));
        assertArrayEquals(new double[] {g0, g0, g0, g0}, gated.headGates(), 1e-7);
        assertEquals(0.1 * 4 * g0, gated.penalty(), 1e-7);
        assertFalse(plain == gated.loss(data), "gates scale the heads' outputs");
    }

    @Test
    @DisplayName("the trained block as a plain TransformerBlock (TalkingHeadsAttention, gates folded in) computes the same")
    void plainBlockComputesTheSame() {
        TransformerBlock start = TransformerBlock.fromSeed(8, 4, 32, 6, 12);
        PreLnBlock block = new PreLnBlock(start, DataType.FLOAT, new HeadInteraction(true, true, 0.1));
        Map<String, INDArray> p = block.parameters();
        p.get("attention.logitsMix").addi(Nd4j.rand(DataType.FLOAT, 4, 4).subi(0.5));   // as training would move them
        p.get("attention.weightsMix").addi(Nd4j.rand(DataType.FLOAT, 4, 4).subi(0.5));
        p.get("attention.gates").assign(Nd4j.createFromArray(3f, -4f, 0f, 1f));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6, 8).subi(0.5).muli(4);
        INDArray expected = block.forward(x);
        TransformerBlock plain = block.toPlain();
        assertTrue(plain.attention() instanceof TalkingHeadsAttention, plain.attention().toString());
        assertTrue(expected.equalsWithEps(plain.forward(x), 1e-4), "trainable " + expected + "\nplain " + plain.forward(x));
        INDArray weights = plain.attend(x, null).weights().reshape(8, 6, 6);              // [b·h, T, T]
        assertTrue(weights.equalsWithEps(block.lastWeights(), 1e-5), "the mixed weights");
    }

    @Test
    @DisplayName("a few Adam steps lower the loss; gates have clear errors where there are none")
    void trainsAndRefusesNonsense() {
        List<LongRangeExample> data = LongRangeTask.mixed(32, SMALL.pairs(), 4);
        LongRangeClassifier m = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL,
            new HeadInteraction(true, true, 0.01));
        double before = m.loss(data);
        for (int i = 0; i < 12; i++) {
            m.fitBatch(data);
        }
        assertTrue(m.loss(data) < before - 0.05, "loss " + before + " → " + m.loss(data));
        assertTrue(m.toString().contains("talking heads, gated"), m.toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeClassifier.create(
            ClassifierKind.LSTM_LAST, SMALL, HeadInteraction.TALKING_HEADS)).getMessage().contains("only TRANSFORMER"));
        assertTrue(assertThrows(IllegalStateException.class, () -> LongRangeClassifier.create(
            ClassifierKind.TRANSFORMER, SMALL).headGates()).getMessage().contains("no gates"));
        assertThrows(IllegalArgumentException.class, () -> new HeadInteraction(false, false, 0.1));
        assertThrows(IllegalArgumentException.class, () -> HeadInteraction.gated(Double.NaN));
        assertEquals(0.0, LongRangeClassifier.create(ClassifierKind.LSTM_LAST, SMALL).penalty(), 0.0);
    }
}
