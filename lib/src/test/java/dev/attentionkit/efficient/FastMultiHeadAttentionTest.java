package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("Fast multi-head attention (fused QKV)")
class FastMultiHeadAttentionTest {

    /** Multi-head attention in plain loops: split W_qkv rows into Q, K, V, each head separately, concat, out_proj. */
    static double[][] reference(double[][] x, double[][] wQkv, double[] bQkv, double[][] wOut, double[] bOut,
                                int heads, boolean causal) {
        int dOut = wOut.length;
        double[][] qkv = Loops.linear(x, wQkv, bQkv);          // [t, 3·dOut]
        double[][] concat = Loops.multiHead(Loops.columns(qkv, 0, dOut), Loops.columns(qkv, dOut, 2 * dOut),
            Loops.columns(qkv, 2 * dOut, 3 * dOut), heads, causal ? Loops.Keep.CAUSAL : Loops.Keep.ALL).context();
        return Loops.linear(concat, wOut, bOut);
    }

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("300 tokens (two query blocks, the second partial), 3 heads, biases: equals the plain-loop reference")
    void equalsReference(boolean causal) {
        int dIn = 10, dOut = 12, heads = 3, t = 300;
        INDArray wQkv = Seeded.array(31, 3 * dOut, dIn), bQkv = Seeded.array(32, 3 * dOut);
        INDArray wOut = Seeded.array(33, dOut, dOut), bOut = Seeded.array(34, dOut);
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(wQkv, bQkv, wOut, bOut, heads);
        INDArray x = Seeded.array(35, 2, t, dIn);
        INDArray y = mha.forward(x, causal);
        assertArrayEquals(new long[] {2, t, dOut}, y.shape());
        for (int b = 0; b < 2; b++) {
            double[][] expected = reference(x.slice(b).toDoubleMatrix(), wQkv.toDoubleMatrix(), bQkv.toDoubleVector(),
                wOut.toDoubleMatrix(), bOut.toDoubleVector(), heads, causal);
            Check.assertClose(expected, y.slice(b).toDoubleMatrix(), 1e-4, "batch " + b);
        }
    }

    @Test
    @DisplayName("float64 weights and input take the batched path and equal the same reference; mixed types are refused")
    void doublePrecision() {
        FastMultiHeadAttention floats = FastMultiHeadAttention.fromSeed(8, 6, 3, true, 11);
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(floats.qkv().weight().castTo(DataType.DOUBLE),
            floats.qkv().bias().orElseThrow().castTo(DataType.DOUBLE), floats.outProj().weight().castTo(DataType.DOUBLE),
            floats.outProj().bias().orElseThrow().castTo(DataType.DOUBLE), 3);
        INDArray x = Seeded.array(12, 2, 40, 8).castTo(DataType.DOUBLE);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> floats.forward(x));
        assertTrue(mixed.getMessage().contains("is DOUBLE but the module's weights are FLOAT"), mixed.getMessage());
        INDArray y = mha.forward(x);
        assertEquals(DataType.DOUBLE, y.dataType());
        for (int b = 0; b < 2; b++) {
            double[][] expected = reference(x.slice(b).toDoubleMatrix(), mha.qkv().weight().toDoubleMatrix(),
                mha.qkv().bias().orElseThrow().toDoubleVector(), mha.outProj().weight().toDoubleMatrix(),
                mha.outProj().bias().orElseThrow().toDoubleVector(), 3, true);
            Check.assertClose(expected, y.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @Test
    @DisplayName("calls with other shapes in between, and calls from several threads at once, give the same outputs")
    void reusedScratchAndConcurrentCalls() throws Exception {
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromSeed(8, 6, 3, false, 13);
        INDArray a = Seeded.array(14, 2, 50, 8), b = Seeded.array(15, 3, 20, 8);
        INDArray expectedA = mha.forward(a).dup(), expectedB = mha.forward(b).dup();
        assertEquals(expectedA, mha.forward(a));
        assertEquals(expectedB, mha.forward(b));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                boolean first = i % 2 == 0;
                results.add(pool.submit(() -> first ? expectedA.equals(mha.forward(a)) : expectedB.equals(mha.forward(b))));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("the query block size changes nothing but speed: blocks of 1, 7 and 64 give the same output")
    void queryBlocks() {
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromSeed(8, 6, 3, true, 7);
        INDArray x = Seeded.array(5, 2, 30, 8);
        INDArray expected = mha.forward(x);
        for (int block : new int[] {1, 7, 64}) {
            FastMultiHeadAttention other = mha.withQueryBlock(block);
            assertEquals(block, other.queryBlock());
            assertTrue(expected.equalsWithEps(other.forward(x), 1e-5), "block " + block);
        }
        assertThrows(IllegalArgumentException.class, () -> mha.withQueryBlock(0));
    }

    @Test
    @DisplayName("from a seed: PyTorch's layers and parameter count; unbatched input; causal by default")
    void fromSeed() {
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromSeed(6, 4, 2, false, 123);
        assertArrayEquals(new long[] {12, 6}, mha.qkv().weight().shape());
        assertArrayEquals(new long[] {4, 4}, mha.outProj().weight().shape());
        assertEquals(12 * 6 + 4 * 4 + 4, mha.parameterCount());
        INDArray x = Seeded.array(1, 5, 6);
        INDArray y = mha.forward(x);
        assertArrayEquals(new long[] {5, 4}, y.shape());
        double[][] expected = reference(x.toDoubleMatrix(), mha.qkv().weight().toDoubleMatrix(), null,
            mha.outProj().weight().toDoubleMatrix(), mha.outProj().bias().orElseThrow().toDoubleVector(), 2, true);
        Check.assertClose(expected, y.toDoubleMatrix(), 1e-5, "unbatched");
    }

    @Test
    @DisplayName("bad weights, heads and inputs are rejected with their shapes")
    void rejects() {
        INDArray wQkv = Seeded.array(1, 12, 6), wOut = Seeded.array(2, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> FastMultiHeadAttention.fromWeights(wQkv, null, wOut, null, 3));
        assertThrows(IllegalArgumentException.class,
            () -> FastMultiHeadAttention.fromWeights(Seeded.array(1, 11, 6), null, wOut, null, 2));
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(wQkv, null, wOut, null, 2);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> mha.forward(Seeded.array(3, 2, 5, 7)));
        assertTrue(error.getMessage().contains("[2, 5, 7]"), error.getMessage());
        INDArray nan = Seeded.array(3, 2, 5, 6);
        nan.putScalar(1, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> mha.forward(nan));
    }
}
