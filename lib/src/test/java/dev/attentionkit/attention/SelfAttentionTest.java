package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("SelfAttentionV1 and SelfAttentionV2")
class SelfAttentionTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 789, 2024})
    @DisplayName("V2's weights transposed into V1 give equal outputs")
    void v2ToV1Transfer(long seed) {
        SelfAttentionV2 v2 = SelfAttentionV2.fromSeed(4, 3, false, seed);
        SelfAttentionV1 v1 = SelfAttentionV1.fromWeights(v2.query().weight().transpose(),
            v2.key().weight().transpose(), v2.value().weight().transpose());
        INDArray x = Seeded.array(seed, 2, 5, 4);
        assertTrue(v1.forward(x).equalsWithEps(v2.forward(x), 1e-6));
    }

    @Test
    @DisplayName("V1 matches the plain-loop formula softmax(xWq (xWk)ᵀ / sqrt(dOut)) xWv")
    void v1MatchesReference() {
        INDArray wq = Seeded.array(1, 4, 5), wk = Seeded.array(2, 4, 5), wv = Seeded.array(3, 4, 5);
        INDArray x = Seeded.array(4, 6, 4);
        double[][] xs = x.toDoubleMatrix();
        double[][] expected = Loops.selfAttention(xs, wq.toDoubleMatrix(), wk.toDoubleMatrix(), wv.toDoubleMatrix());
        Check.assertClose(expected, SelfAttentionV1.fromWeights(wq, wk, wv).forward(x), 1e-5, "V1 forward(x)");
    }

    @Test
    @DisplayName("V2 with biases matches the plain-loop formula")
    void v2WithBiasMatchesReference() {
        SelfAttentionV2 v2 = SelfAttentionV2.fromSeed(3, 4, true, 42);
        INDArray x = Seeded.array(5, 6, 3);
        double[][] xs = x.toDoubleMatrix();
        double[][] q = Loops.linear(xs, v2.query().weight().toDoubleMatrix(), v2.query().bias().orElseThrow().toDoubleVector());
        double[][] k = Loops.linear(xs, v2.key().weight().toDoubleMatrix(), v2.key().bias().orElseThrow().toDoubleVector());
        double[][] v = Loops.linear(xs, v2.value().weight().toDoubleMatrix(), v2.value().bias().orElseThrow().toDoubleVector());
        Check.assertClose(Loops.attention(q, k, v), v2.forward(x), 1e-5, "V2 forward(x)");
        assertEquals(3 * (4 * 3 + 4), v2.parameterCount());
    }

    @Test
    @DisplayName("a batch gives each sequence the result it gets alone, and weights rows sum to 1")
    void batchAndWeights() {
        SelfAttentionV1 v1 = SelfAttentionV1.fromSeed(3, 2, 123);
        AttentionOutput out = v1.attend(BookExample.batch());
        assertArrayEquals(new long[] {2, 6, 2}, out.context().shape());
        assertArrayEquals(new long[] {2, 6, 6}, out.weights().shape());
        assertTrue(out.context().slice(1).equalsWithEps(v1.forward(BookExample.inputs()), 1e-6));
        assertTrue(out.weights().sum(2).equalsWithEps(Nd4j.ones(out.weights().dataType(), 2, 6), 1e-6));
    }

    @Test
    @DisplayName("the seed determines the weights; explicit weights are exposed as given")
    void weightsExposed() {
        assertEquals(SelfAttentionV1.fromSeed(3, 2, 123).wKey(), SelfAttentionV1.fromSeed(3, 2, 123).wKey());
        INDArray wq = Seeded.array(1, 3, 2);
        assertEquals(wq, SelfAttentionV1.fromWeights(wq, wq, wq).wQuery());
    }

    @Test
    @DisplayName("an input of the wrong width: the message names both shapes")
    void wrongInputWidth() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> SelfAttentionV2.fromSeed(3, 2, false, 1).forward(Nd4j.ones(6, 4)));
        assertTrue(error.getMessage().contains("[batch, tokens, dIn]") && error.getMessage().contains("[6, 4]")
            && error.getMessage().contains("3"), error.getMessage());
    }

    @Test
    @DisplayName("an input of rank 4 is rejected")
    void wrongRank() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> SelfAttentionV1.fromSeed(3, 2, 1).forward(Nd4j.ones(1, 2, 6, 3)));
        assertTrue(error.getMessage().contains("rank 2 or 3") && error.getMessage().contains("[1, 2, 6, 3]"), error.getMessage());
    }

    @Test
    @DisplayName("weights of different shapes are rejected")
    void mismatchedWeights() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> SelfAttentionV1.fromWeights(Nd4j.ones(3, 2), Nd4j.ones(2, 3), Nd4j.ones(3, 2)));
        assertTrue(error.getMessage().contains("wKey") && error.getMessage().contains("[2, 3]"), error.getMessage());
    }

    @Test
    @DisplayName("a NaN in the input is reported, not propagated")
    void nanInput() {
        INDArray x = BookExample.inputs();
        x.putScalar(2, 1, Float.NaN);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> SelfAttentionV1.fromSeed(3, 2, 123).forward(x));
        assertTrue(error.getMessage().contains("1 NaN"), error.getMessage());
    }
}
