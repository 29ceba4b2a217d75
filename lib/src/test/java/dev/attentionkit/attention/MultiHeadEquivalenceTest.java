package dev.attentionkit.attention;

import static dev.attentionkit.attention.CausalAttentionTest.project;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The three ways of writing multi-head attention compute the same function once the weights are copied across. */
@DisplayName("Multi-head attention: wrapper, weight splits and fused QKV agree")
class MultiHeadEquivalenceTest {
    private static final double TOL = 1e-5;

    @ParameterizedTest(name = "qkvBias = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("wrapper → MultiHeadAttention.fromWrapper (identity outProj): same context and weights")
    void wrapperToWeightSplit(boolean qkvBias) {
        MultiHeadAttentionWrapper wrapper = MultiHeadAttentionWrapper.fromSeed(5, 3, 8, 0.0, 4, qkvBias, 7);
        MultiHeadAttention mha = MultiHeadAttention.fromWrapper(wrapper);
        assertEquals(12, mha.dOut());
        assertEquals(3, mha.headDim());
        INDArray x = Seeded.array(1, 2, 8, 5);
        AttentionOutput a = wrapper.attend(x);
        AttentionOutput b = mha.attend(x);
        assertArrayEquals(new long[] {2, 8, 12}, b.context().shape());
        assertArrayEquals(new long[] {2, 4, 8, 8}, a.weights().shape());
        assertArrayEquals(Values.flat(a.context()), Values.flat(b.context()), TOL);
        assertArrayEquals(Values.flat(a.weights()), Values.flat(b.weights()), TOL);
    }

    @ParameterizedTest(name = "qkvBias = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("MultiHeadAttention → FusedQkvAttention.fromMultiHeadAttention: same context and weights")
    void weightSplitToFused(boolean qkvBias) {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(6, 8, 10, 0.0, 2, qkvBias, 11);
        FusedQkvAttention fused = FusedQkvAttention.fromMultiHeadAttention(mha);
        assertArrayEquals(new long[] {24, 6}, fused.qkv().weight().shape());
        INDArray x = Seeded.array(2, 3, 10, 6);
        AttentionOutput a = mha.attend(x);
        AttentionOutput b = fused.attend(x);
        assertArrayEquals(Values.flat(a.context()), Values.flat(b.context()), TOL);
        assertArrayEquals(Values.flat(a.weights()), Values.flat(b.weights()), TOL);
        assertEquals(mha.parameterCount(), fused.parameterCount());
    }

    @Test
    @DisplayName("wrapper → weight splits → fused, on [tokens, dIn] input without a batch axis")
    void chainUnbatched() {
        MultiHeadAttentionWrapper wrapper = MultiHeadAttentionWrapper.fromSeed(3, 2, 6, 0.0, 2, false, 123);
        FusedQkvAttention fused = FusedQkvAttention.fromMultiHeadAttention(MultiHeadAttention.fromWrapper(wrapper));
        INDArray x = Seeded.array(3, 6, 3);
        AttentionOutput a = wrapper.attend(x);
        AttentionOutput c = fused.attend(x);
        assertArrayEquals(new long[] {6, 4}, c.context().shape());
        assertArrayEquals(new long[] {2, 6, 6}, c.weights().shape());
        assertArrayEquals(Values.flat(a.context()), Values.flat(c.context()), TOL);
    }

    @Test
    @DisplayName("MultiHeadAttention agrees with a naive per-head loop including the output projection")
    void againstNaive() {
        int heads = 2;
        int hd = 3;
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, heads * hd, 5, 0.0, heads, true, 5);
        INDArray x = Seeded.array(4, 2, 5, 4);
        AttentionOutput out = mha.attend(x);
        double[][][] xs = Values.of3(x);
        boolean[][] causal = new boolean[5][5];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j <= i; j++) {
                causal[i][j] = true;
            }
        }
        for (int b = 0; b < 2; b++) {
            double[][] q = project(mha.query(), xs[b]);
            double[][] k = project(mha.key(), xs[b]);
            double[][] v = project(mha.value(), xs[b]);
            Loops.MultiHead r = Loops.multiHead(q, k, v, heads, Loops.Keep.of(causal));
            Check.assertClose(r.weights(), out.weights().slice(b), TOL, "weights of sequence " + b);
            Check.assertClose(project(mha.outProj(), r.context()), out.context().slice(b), TOL, "context " + b);
        }
    }

    @Test
    @DisplayName("explicit weights in PyTorch's [out, in] layout give the same modules as the seeded ones")
    void fromWeights() {
        MultiHeadAttention seeded = MultiHeadAttention.fromSeed(4, 4, 6, 0.0, 2, 3);
        MultiHeadAttention explicit = MultiHeadAttention.fromWeights(seeded.query().weight(), seeded.key().weight(),
            seeded.value().weight(), seeded.outProj().weight(), seeded.outProj().bias().orElseThrow(), 2, 6);
        INDArray x = Seeded.array(8, 2, 6, 4);
        assertArrayEquals(Values.flat(seeded.forward(x)), Values.flat(explicit.forward(x)), 0.0);
        FusedQkvAttention fused = FusedQkvAttention.fromWeights(
            org.nd4j.linalg.factory.Nd4j.concat(0, seeded.query().weight(), seeded.key().weight(), seeded.value().weight()),
            seeded.outProj().weight(), seeded.outProj().bias().orElseThrow(), 2, 6);
        assertArrayEquals(Values.flat(seeded.forward(x)), Values.flat(fused.forward(x)), 1e-6);
        CausalAttention head = CausalAttention.fromSeed(4, 2, 6, 0.0, false, 8);
        CausalAttention copy = CausalAttention.fromWeights(head.query().weight(), head.key().weight(),
            head.value().weight(), 6);
        assertArrayEquals(Values.flat(head.forward(x)), Values.flat(copy.forward(x)), 0.0);
    }

    @Test
    @DisplayName("in eval mode dropout is off: a module with p = 0.5 equals its p = 0 twin")
    void evalMode() {
        MultiHeadAttention drop = MultiHeadAttention.fromSeed(4, 4, 6, 0.5, 2, 3);
        MultiHeadAttention none = MultiHeadAttention.fromSeed(4, 4, 6, 0.0, 2, 3);
        INDArray x = Seeded.array(9, 2, 6, 4);
        assertArrayEquals(Values.flat(none.forward(x)), Values.flat(drop.eval().forward(x)), 0.0);
        FusedQkvAttention fused = FusedQkvAttention.fromSeed(4, 4, 6, 0.5, 2, false, 3).eval();
        assertArrayEquals(Values.flat(fused.forward(x)), Values.flat(fused.forward(x)), 0.0, "deterministic");
    }

    @Test
    @DisplayName("parameter counts: wrapper h·3·dIn·dOut; weight splits and fused add outProj dOut² + dOut")
    void parameterCounts() {
        assertEquals(4 * 3 * 5 * 3, MultiHeadAttentionWrapper.fromSeed(5, 3, 8, 0.0, 4, false, 0).parameterCount());
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(5, 12, 8, 0.0, 4, false, 0);
        assertEquals(3 * 5 * 12 + 12 * 12 + 12, mha.parameterCount());
        assertEquals(3 * 5 * 12 + 12 * 12 + 12,
            FusedQkvAttention.fromSeed(5, 12, 8, 0.0, 4, false, 0).parameterCount());
        Linear out = mha.outProj();
        assertEquals(12 * 12 + 12, out.parameterCount());
    }
}
