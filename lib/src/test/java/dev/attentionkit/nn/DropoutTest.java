package dev.attentionkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("Dropout: inverted scaling, seeded masks, identity in eval mode")
class DropoutTest {
    private static final int N = 200_000;

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {0.1, 0.5, 0.8})
    @DisplayName("about a fraction p becomes exactly zero, survivors are scaled by 1/(1-p), the mean is kept")
    void scaling(double p) {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 400, 500);
        double[] out = Values.flat(Dropout.of(p, 7).forward(ones));
        int zeros = 0;
        double sum = 0;
        for (double v : out) {
            if (v == 0.0) {
                zeros++;
            } else {
                assertEquals(1.0 / (1.0 - p), v, 1e-6, "a survivor");
            }
            sum += v;
        }
        // Binomial standard deviation of the zero fraction is sqrt(p(1-p)/N) < 0.0012; allow 5 of them.
        assertEquals(p, zeros / (double) N, 0.006, "zero fraction");
        assertEquals(1.0, sum / N, 0.03, "mean preserved");
    }

    @Test
    @DisplayName("the mean of random inputs is preserved within tolerance")
    void meanOfRandomInputs() {
        INDArray x = Seeded.array(3, 400, 500).addi(2); // values in [1, 3), mean 2
        double before = x.meanNumber().doubleValue();
        double after = Dropout.of(0.3, 11).forward(x).meanNumber().doubleValue();
        assertEquals(before, after, 0.03);
    }

    @Test
    @DisplayName("eval mode returns the input unchanged; train mode switches dropout back on")
    void evalIsIdentity() {
        INDArray x = Seeded.array(4, 10, 10);
        Dropout dropout = Dropout.of(0.5, 1).eval();
        assertFalse(dropout.isTraining());
        assertSame(x, dropout.forward(x));
        assertTrue(dropout.train().isTraining());
        assertTrue(dropout.forward(Nd4j.ones(DataType.FLOAT, 100)).eq(0.0).any(), "some zeros in training");
    }

    @Test
    @DisplayName("the same seed gives the same masks, call after call; another seed gives others")
    void seeded() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 50, 50);
        Dropout a = Dropout.of(0.5, 123);
        Dropout b = Dropout.of(0.5, 123);
        INDArray a1 = a.forward(ones);
        INDArray a2 = a.forward(ones);
        assertArrayEquals(Values.flat(a1), Values.flat(b.forward(ones)), 0.0, "first call");
        assertArrayEquals(Values.flat(a2), Values.flat(b.forward(ones)), 0.0, "second call");
        assertFalse(a1.equals(a2), "successive masks differ");
        assertFalse(a1.equals(Dropout.of(0.5, 124).forward(ones)), "another seed");
    }

    @Test
    @DisplayName("p = 0 is the identity and p = 1 zeroes everything")
    void extremes() {
        INDArray x = Seeded.array(5, 4, 4);
        assertSame(x, Dropout.of(0.0, 1).forward(x));
        assertEquals(0.0, Dropout.of(1.0, 1).forward(x).norm1Number().doubleValue(), 0.0);
    }

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {-0.1, 1.5, Double.NaN})
    @DisplayName("a probability outside [0, 1] is rejected")
    void badProbability(double p) {
        assertThrows(IllegalArgumentException.class, () -> Dropout.of(p, 0));
    }
}
