package dev.attentionkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Linear, with nn.Linear's [out, in] layout")
class LinearTest {

    @Test
    @DisplayName("computes x · Wᵀ + b like a plain loop")
    void forwardMatchesReference() {
        INDArray w = Seeded.array(1, 4, 3);   // [out = 4, in = 3]
        INDArray b = Seeded.array(2, 4);
        INDArray x = Seeded.array(3, 5, 3);
        Check.assertClose(Loops.linear(x.toDoubleMatrix(), w.toDoubleMatrix(), b.toDoubleVector()),
            Linear.fromWeights(w, b).forward(x), 1e-6, "forward(x)");
    }

    @Test
    @DisplayName("a batch [2, 5, 3] gives each sequence's own result")
    void batchIsPerSequence() {
        Linear layer = Linear.fromWeights(Seeded.array(1, 4, 3), null);
        INDArray batch = Seeded.array(4, 2, 5, 3);
        INDArray out = layer.forward(batch);
        assertArrayEquals(new long[] {2, 5, 4}, out.shape());
        for (int s = 0; s < 2; s++) {
            assertTrue(layer.forward(batch.slice(s)).equalsWithEps(out.slice(s), 1e-6), "sequence " + s);
        }
    }

    @Test
    @DisplayName("seeded init draws weight then bias within ±1/sqrt(in), as nn.Linear does")
    void seededInit() {
        Linear layer = Linear.init(16, 8, true, TorchRandom.manualSeed(5));
        assertArrayEquals(new long[] {8, 16}, layer.weight().shape());
        double bound = 1 / Math.sqrt(16);
        assertTrue(layer.weight().amaxNumber().doubleValue() <= bound);
        assertTrue(layer.bias().orElseThrow().amaxNumber().doubleValue() <= bound);
        assertEquals(8 * 16 + 8, layer.parameterCount());
        // Same seed, same draws: the first weight is PyTorch's first uniform draw scaled to the bound.
        float u = TorchRandom.manualSeed(5).nextFloat();
        assertEquals(u * (float) (2 * bound) - (float) bound, layer.weight().getFloat(0, 0), 1e-7);
    }

    @Test
    @DisplayName("explicit weights are copied, not shared")
    void weightsAreCopied() {
        INDArray w = Seeded.array(1, 2, 2);
        Linear layer = Linear.fromWeights(w, null);
        w.muli(0);
        assertTrue(layer.weight().sumNumber().doubleValue() != 0);
    }

    @Test
    @DisplayName("wrong input size: the message names expected and actual shapes")
    void wrongInputSize() {
        Linear layer = Linear.fromWeights(Seeded.array(1, 4, 3), null);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> layer.forward(Seeded.array(2, 5, 7)));
        assertTrue(error.getMessage().contains("last dimension 3") && error.getMessage().contains("[5, 7]"), error.getMessage());
    }

    @Test
    @DisplayName("a bias of the wrong length is rejected")
    void wrongBias() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> Linear.fromWeights(Seeded.array(1, 4, 3), Seeded.array(2, 3)));
        assertTrue(error.getMessage().contains("[4]") && error.getMessage().contains("[3]"), error.getMessage());
    }
}
