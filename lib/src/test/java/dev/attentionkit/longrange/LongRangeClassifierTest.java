package dev.attentionkit.longrange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import dev.attentionkit.transformer.TransformerBlock;

@DisplayName("Long-range classifiers: hand-written backward passes and training")
class LongRangeClassifierTest {
    private static final LongRangeConfig SMALL = new LongRangeConfig(3, 8, 2, 64, 4, 16, 1, 0.01, 3, 1);
    private static int threads;

    // Arrays this small run fastest on one thread per operation (as notebook 08 sets it); restored afterwards.
    @BeforeAll
    static void oneThread() {
        threads = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        Nd4j.getEnvironment().setMaxThreads(threads);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ClassifierKind.class)
    @DisplayName("every parameter's gradient matches central finite differences (float64)")
    void gradients(ClassifierKind kind) {
        LongRangeClassifier m = LongRangeClassifier.create(kind, SMALL, DataType.DOUBLE);
        List<LongRangeExample> batch = LongRangeTask.mixed(5, SMALL.pairs(), 8);
        for (int i = 0; i < 3; i++) {
            m.fitBatch(batch);                       // away from the initial weights, so no gradient is trivially small
        }
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        m.lossAndGradients(batch, gradients);
        assertEquals(m.parameters().keySet(), gradients.keySet(), "one gradient per parameter");
        Random random = new Random(5);
        double eps = 1e-6;
        for (Map.Entry<String, INDArray> p : m.parameters().entrySet()) {
            INDArray w = p.getValue();
            INDArray g = gradients.get(p.getKey()).reshape(w.shape());
            assertArrayEquals(w.shape(), g.shape(), p.getKey());
            for (int n = 0; n < 2; n++) {
                long i = random.nextInt((int) w.length());
                double saved = w.getDouble(i);
                w.putScalar(i, saved + eps);
                double up = m.loss(batch);
                w.putScalar(i, saved - eps);
                double down = m.loss(batch);
                w.putScalar(i, saved);
                double numeric = (up - down) / (2 * eps);
                double analytic = g.getDouble(i);
                assertEquals(numeric, analytic, 1e-7 + 1e-4 * Math.abs(numeric),
                    kind + " " + p.getKey() + "[" + i + "]: finite differences " + numeric + ", backward " + analytic);
            }
        }
    }

    @Test
    @DisplayName("the trainable block computes what the plain TransformerBlock computes with the same weights")
    void blockMatchesPlainBlock() {
        TransformerBlock plain = TransformerBlock.fromSeed(8, 2, 32, 6, 11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 6, 8).subi(0.5).muli(4);
        PreLnBlock trainable = new PreLnBlock(plain, DataType.FLOAT);
        INDArray expected = plain.forward(x);
        INDArray actual = trainable.forward(x);
        assertTrue(expected.equalsWithEps(actual, 1e-4), "plain " + expected + "\ntrainable " + actual);
        INDArray weights = plain.attend(x, null).weights().reshape(6, 6, 6);                // [b·h, T, T]
        assertTrue(weights.equalsWithEps(trainable.lastWeights(), 1e-5), "attention weights");
        assertTrue(expected.equalsWithEps(trainable.toPlain().forward(x), 1e-6), "toPlain() keeps the weights");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ClassifierKind.class)
    @DisplayName("a few Adam steps lower the loss on the batch")
    void lossFalls(ClassifierKind kind) {
        LongRangeClassifier m = LongRangeClassifier.create(kind, SMALL);
        List<LongRangeExample> data = LongRangeTask.mixed(32, SMALL.pairs(), 4);
        double before = m.loss(data);
        double first = m.fitBatch(data);
        assertEquals(before, first, 1e-5, "fitBatch reports the loss before its step");
        for (int i = 0; i < 11; i++) {
            m.fitBatch(data);
        }
        double after = m.loss(data);
        assertTrue(after < before - 0.05, kind + ": loss " + before + " → " + after);
        assertEquals(12, m.lossCurve().size());
    }

    @Test
    @DisplayName("weights have the documented shapes; pruning heads changes the loss and restores the weights")
    void weightsAndPruning() {
        List<LongRangeExample> data = LongRangeTask.mixed(32, SMALL.pairs(), 4);
        LongRangeClassifier t = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, SMALL);
        int tokens = SMALL.length();
        assertArrayEquals(new long[] {2, tokens, tokens}, t.blockWeights(data.get(0)).shape());
        INDArray w = t.queryWeights(data.get(0));
        assertArrayEquals(new long[] {2, tokens}, w.shape());
        assertEquals(2.0, w.sumNumber().doubleValue(), 1e-5, "each head's weights sum to 1");
        INDArray pool = LongRangeClassifier.create(ClassifierKind.LSTM_ATTENTION, SMALL).queryWeights(data.get(1));
        assertArrayEquals(new long[] {1, tokens}, pool.shape());
        assertEquals(1.0, pool.sumNumber().doubleValue(), 1e-5, "pooling weights sum to 1");
        double full = t.loss(data);
        assertNotEquals(full, t.evaluateWithout(Set.of(0), data)[0], "pruning changes the loss");
        assertEquals(full, t.evaluateWithout(Set.of(), data)[0], 1e-6, "weights restored");
        assertEquals(full, t.loss(data), 1e-6, "weights restored");
        assertThrows(IllegalArgumentException.class, () -> t.evaluateWithout(Set.of(2), data));
        assertThrows(IllegalStateException.class,
            () -> LongRangeClassifier.create(ClassifierKind.LSTM_LAST, SMALL).queryWeights(data.get(0)));
        assertThrows(IllegalStateException.class,
            () -> LongRangeClassifier.create(ClassifierKind.LSTM_ATTENTION, SMALL).blockWeights(data.get(0)));
        assertThrows(IllegalStateException.class,
            () -> LongRangeClassifier.create(ClassifierKind.LSTM_LAST, SMALL).evaluateWithout(Set.of(0), data));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongRangeClassifier.create(
            ClassifierKind.TRANSFORMER, SMALL.withHeads(3))).getMessage().contains("not divisible by heads 3"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> t.loss(LongRangeTask.mixed(2, 4, 1))).getMessage().contains("expected sequences of 8 tokens"));
        // the plain block computes what the trained one does
        INDArray plain = t.plainBlock().attend(org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 1, tokens, 8), null)
            .weights();
        assertArrayEquals(new long[] {1, 2, tokens, tokens}, plain.shape());
    }
}
