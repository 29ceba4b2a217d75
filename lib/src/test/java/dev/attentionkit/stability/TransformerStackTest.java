package dev.attentionkit.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.longrange.LayerNormPlacement;
import dev.attentionkit.longrange.LongRangeExample;
import dev.attentionkit.longrange.LongRangeTask;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("TransformerStack: pre-/post-LN stacks, unscaled scores, attention dropout, init scale")
class TransformerStackTest {
    private static final StackConfig SMALL = new StackConfig(3, 2, 8, 2, LayerNormPlacement.PRE_LN, true, 0, 1, 0.01,
        0, 16, 3);
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

    static Stream<Arguments> variants() {
        return Stream.of(
            Arguments.of("pre-LN", SMALL),
            Arguments.of("post-LN", SMALL.withPlacement(LayerNormPlacement.POST_LN)),
            Arguments.of("post-LN, unscaled scores, attention dropout 0.3", SMALL.withPlacement(LayerNormPlacement.POST_LN)
                .withScaledScores(false).withAttentionDropout(0.3)),
            Arguments.of("pre-LN, init ×2, unscaled, attention dropout 0.3", SMALL.withInitScale(2)
                .withScaledScores(false).withAttentionDropout(0.3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    @DisplayName("every parameter's gradient matches central finite differences (float64, the same dropout mask)")
    void gradients(String name, StackConfig config) {
        TransformerStack m = TransformerStack.create(config, DataType.DOUBLE);
        List<LongRangeExample> batch = LongRangeTask.mixed(5, config.pairs(), 8);
        for (int i = 0; i < 3; i++) {
            m.fitBatch(batch);                  // away from the initial weights (γ = 1, β = 0, biases as drawn)
        }
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        m.reseedDropout(42);
        m.lossAndGradients(batch, gradients);
        assertEquals(m.parameters().keySet(), gradients.keySet(), "one gradient per parameter");
        Random random = new Random(5);
        double eps = 1e-6;
        for (Map.Entry<String, INDArray> p : m.parameters().entrySet()) {
            INDArray w = p.getValue();
            INDArray g = gradients.get(p.getKey()).reshape(w.shape());
            for (int n = 0; n < 2; n++) {
                long i = random.nextInt((int) w.length());
                double saved = w.getDouble(i);
                w.putScalar(i, saved + eps);
                m.reseedDropout(42);
                double up = m.trainingLoss(batch);
                w.putScalar(i, saved - eps);
                m.reseedDropout(42);
                double down = m.trainingLoss(batch);
                w.putScalar(i, saved);
                double numeric = (up - down) / (2 * eps);
                double analytic = g.getDouble(i);
                assertEquals(numeric, analytic, 1e-7 + 1e-4 * Math.abs(numeric),
                    name + " " + p.getKey() + "[" + i + "]: finite differences " + numeric + ", backward " + analytic);
            }
        }
    }

    @Test
    @DisplayName("dropout acts in training only: evaluation is deterministic, training losses differ between masks")
    void dropoutOnlyWhileTraining() {
        TransformerStack m = TransformerStack.create(SMALL.withAttentionDropout(0.5), DataType.DOUBLE);
        TransformerStack plain = TransformerStack.create(SMALL, DataType.DOUBLE);
        List<LongRangeExample> batch = LongRangeTask.mixed(8, SMALL.pairs(), 2);
        assertEquals(plain.loss(batch), m.loss(batch), 1e-12, "same weights, no dropout in evaluation");
        m.reseedDropout(1);
        double a = m.trainingLoss(batch);
        m.reseedDropout(2);
        double b = m.trainingLoss(batch);
        m.reseedDropout(1);
        assertEquals(a, m.trainingLoss(batch), 1e-12, "the same seed draws the same mask");
        assertNotEquals(a, b, "another mask, another loss");
        assertNotEquals(plain.trainingLoss(batch), a, "dropout changes the training loss");
    }

    @Test
    @DisplayName("Adam steps lower the loss, and each step records every layer's gradient norm")
    void trainingLowersTheLoss() {
        for (LayerNormPlacement placement : LayerNormPlacement.values()) {
            TransformerStack m = TransformerStack.create(SMALL.withPlacement(placement));
            List<LongRangeExample> data = LongRangeTask.mixed(SMALL.batchSize(), SMALL.pairs(), 4);   // one batch
            double before = m.loss(data);
            TrainingLog log = m.train(data, 20);
            assertEquals(20, log.steps());
            assertEquals(before, log.losses()[0], 1e-5, "the first step reports the loss before it");
            assertTrue(m.loss(data) < before - 0.1, placement + ": loss " + before + " → " + m.loss(data));
            assertEquals(SMALL.layers(), log.gradientNorms()[0].length);
            assertTrue(log.gradientNorms()[0][0] > 0 && log.gradientNorms()[0][1] > 0, "non-zero gradient norms");
            assertTrue(!log.diverged());
        }
    }

    @Test
    @DisplayName("a layer's gradient norm is the 2-norm over all its parameters' gradients")
    void gradientNormIsTheNormOfTheLayersGradients() {
        TransformerStack m = TransformerStack.create(SMALL, DataType.DOUBLE);
        List<LongRangeExample> batch = LongRangeTask.mixed(6, SMALL.pairs(), 3);
        double[] norms = m.gradientNorms(batch);
        Map<String, INDArray> g = new LinkedHashMap<>();
        m.lossAndGradients(batch, g);
        for (int l = 0; l < SMALL.layers(); l++) {
            double sum = 0;
            for (Map.Entry<String, INDArray> e : g.entrySet()) {
                if (e.getKey().startsWith("block" + l + ".")) {
                    for (double v : e.getValue().dup().data().asDouble()) {
                        sum += v * v;
                    }
                }
            }
            assertEquals(Math.sqrt(sum), norms[l], 1e-10 * Math.sqrt(sum), "layer " + l);
        }
    }

    @Test
    @DisplayName("warm-up: Adam's first step moves each weight by about lr / warmupSteps instead of lr")
    void warmupShrinksTheFirstSteps() {
        List<LongRangeExample> batch = LongRangeTask.mixed(16, SMALL.pairs(), 6);
        double[] moved = new double[2];
        int[] warmups = {0, 10};
        for (int k = 0; k < 2; k++) {
            TransformerStack m = TransformerStack.create(SMALL.withWarmup(warmups[k]), DataType.DOUBLE);
            INDArray w = m.parameters().get("block0.fc1.weight");
            INDArray before = w.dup();
            m.fitBatch(batch);
            moved[k] = w.sub(before).amaxNumber().doubleValue();       // Adam's first step: |Δ| ≤ lr, ≈ lr where g ≠ 0
        }
        assertEquals(SMALL.learningRate(), moved[0], 1e-3 * SMALL.learningRate());
        assertEquals(SMALL.learningRate() / 10, moved[1], 1e-4 * SMALL.learningRate());
        assertEquals(SMALL.learningRate() / 10, TransformerStack.create(SMALL.withWarmup(10)).learningRateAt(1), 1e-15);
        assertEquals(SMALL.learningRate(), TransformerStack.create(SMALL.withWarmup(10)).learningRateAt(25), 1e-15);
    }

    @Test
    @DisplayName("init scale multiplies the block weight matrices only")
    void initScale() {
        TransformerStack one = TransformerStack.create(SMALL, DataType.DOUBLE);
        TransformerStack three = TransformerStack.create(SMALL.withInitScale(3), DataType.DOUBLE);
        one.parameters().forEach((k, v) -> {
            INDArray other = three.parameters().get(k);
            boolean matrix = k.startsWith("block") && k.endsWith(".weight") && !k.contains(".ln");
            assertTrue((matrix ? v.mul(3) : v).equalsWithEps(other, 1e-12), k + (matrix ? " ×3" : " unchanged"));
        });
    }

    @Test
    @DisplayName("attention entropy lies in [0, ln T]; unscaled scores of large weights are more peaked")
    void attentionEntropy() {
        List<LongRangeExample> data = LongRangeTask.mixed(16, SMALL.pairs(), 6);
        StackConfig wide = SMALL.withWidth(32, 1).withInitScale(2);
        double[] scaled = TransformerStack.create(wide).attentionEntropy(data);
        double[] unscaled = TransformerStack.create(wide.withScaledScores(false)).attentionEntropy(data);
        double max = Math.log(SMALL.length());
        for (int l = 0; l < SMALL.layers(); l++) {
            assertTrue(scaled[l] > 0 && scaled[l] <= max + 1e-6, "entropy " + scaled[l] + " of at most " + max);
            assertTrue(unscaled[l] < scaled[l], "layer " + l + ": unscaled " + unscaled[l] + ", scaled " + scaled[l]);
        }
    }

    @Test
    @DisplayName("bad input gets an error naming the problem")
    void badInput() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withWidth(10, 4)).getMessage()
            .contains("not divisible by heads 4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withAttentionDropout(1)).getMessage()
            .contains("attentionDropout"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withInitScale(0)).getMessage()
            .contains("initScale"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withLearningRate(Double.NaN)).getMessage()
            .contains("learningRate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withWarmup(-1)).getMessage()
            .contains("warmupSteps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withPlacement(null)).getMessage()
            .contains("placement"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SMALL.withLayers(0)).getMessage()
            .contains("layers"));
        TransformerStack m = TransformerStack.create(SMALL);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.loss(LongRangeTask.mixed(2, 4, 1)))
            .getMessage().contains("expected sequences of 8 tokens"));
        assertThrows(IllegalArgumentException.class, () -> m.train(List.of(), 3));
        assertThrows(IllegalArgumentException.class, () -> m.learningRateAt(0));
        assertThrows(IllegalArgumentException.class, () -> TransformerStack.create(null));
    }
}
