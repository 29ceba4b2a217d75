package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.Reference;
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
        int t = x.length, dOut = wOut.length, hd = dOut / heads;
        double[][] qkv = Reference.linear(x, wQkv, bQkv);          // [t, 3·dOut]
        double[][] concat = new double[t][dOut];
        for (int h = 0; h < heads; h++) {
            double[][] q = new double[t][hd], k = new double[t][hd], v = new double[t][hd];
            for (int i = 0; i < t; i++) {
                for (int c = 0; c < hd; c++) {
                    q[i][c] = qkv[i][h * hd + c];
                    k[i][c] = qkv[i][dOut + h * hd + c];
                    v[i][c] = qkv[i][2 * dOut + h * hd + c];
                }
            }
            double[][] head = MaskedReference.attention(q, k, v, (i, j) -> !causal || j <= i);
            for (int i = 0; i < t; i++) {
                System.arraycopy(head[i], 0, concat[i], h * hd, hd);
            }
        }
        return Reference.linear(concat, wOut, bOut);
    }

    @ParameterizedTest(name = "causal {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("300 tokens (two query blocks, the second partial), 3 heads, biases: equals the plain-loop reference")
    void equalsReference(boolean causal) {
        int dIn = 10, dOut = 12, heads = 3, t = 300;
        INDArray wQkv = Reference.random(31, 3 * dOut, dIn), bQkv = Reference.random(32, 3 * dOut);
        INDArray wOut = Reference.random(33, dOut, dOut), bOut = Reference.random(34, dOut);
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(wQkv, bQkv, wOut, bOut, heads);
        INDArray x = Reference.random(35, 2, t, dIn);
        INDArray y = mha.forward(x, causal);
        assertArrayEquals(new long[] {2, t, dOut}, y.shape());
        for (int b = 0; b < 2; b++) {
            double[][] expected = reference(x.slice(b).toDoubleMatrix(), wQkv.toDoubleMatrix(), bQkv.toDoubleVector(),
                wOut.toDoubleMatrix(), bOut.toDoubleVector(), heads, causal);
            MaskedReference.assertClose(expected, y.slice(b).toDoubleMatrix(), 1e-4, "batch " + b);
        }
    }

    @Test
    @DisplayName("float64 weights and input take the batched path and equal the same reference; mixed types are refused")
    void doublePrecision() {
        FastMultiHeadAttention floats = FastMultiHeadAttention.fromSeed(8, 6, 3, true, 11);
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(floats.qkv().weight().castTo(DataType.DOUBLE),
            floats.qkv().bias().orElseThrow().castTo(DataType.DOUBLE), floats.outProj().weight().castTo(DataType.DOUBLE),
            floats.outProj().bias().orElseThrow().castTo(DataType.DOUBLE), 3);
        INDArray x = Reference.random(12, 2, 40, 8).castTo(DataType.DOUBLE);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> floats.forward(x));
        assertTrue(mixed.getMessage().contains("is DOUBLE but the module's weights are FLOAT"), mixed.getMessage());
        INDArray y = mha.forward(x);
        assertEquals(DataType.DOUBLE, y.dataType());
        for (int b = 0; b < 2; b++) {
            double[][] expected = reference(x.slice(b).toDoubleMatrix(), mha.qkv().weight().toDoubleMatrix(),
                mha.qkv().bias().orElseThrow().toDoubleVector(), mha.outProj().weight().toDoubleMatrix(),
                mha.outProj().bias().orElseThrow().toDoubleVector(), 3, true);
            MaskedReference.assertClose(expected, y.slice(b).toDoubleMatrix(), 1e-5, "batch " + b);
        }
    }

    @Test
    @DisplayName("calls with other shapes in between, and calls from several threads at once, give the same outputs")
    void reusedScratchAndConcurrentCalls() throws Exception {
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromSeed(8, 6, 3, false, 13);
        INDArray a = Reference.random(14, 2, 50, 8), b = Reference.random(15, 3, 20, 8);
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
        INDArray x = Reference.random(5, 2, 30, 8);
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
        INDArray x = Reference.random(1, 5, 6);
        INDArray y = mha.forward(x);
        assertArrayEquals(new long[] {5, 4}, y.shape());
        double[][] expected = reference(x.toDoubleMatrix(), mha.qkv().weight().toDoubleMatrix(), null,
            mha.outProj().weight().toDoubleMatrix(), mha.outProj().bias().orElseThrow().toDoubleVector(), 2, true);
        MaskedReference.assertClose(expected, y.toDoubleMatrix(), 1e-5, "unbatched");
    }

    @Test
    @DisplayName("bad weights, heads and inputs are rejected with their shapes")
    void rejects() {
        INDArray wQkv = Reference.random(1, 12, 6), wOut = Reference.random(2, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> FastMultiHeadAttention.fromWeights(wQkv, null, wOut, null, 3));
        assertThrows(IllegalArgumentException.class,
            () -> FastMultiHeadAttention.fromWeights(Reference.random(1, 11, 6), null, wOut, null, 2));
        FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(wQkv, null, wOut, null, 2);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> mha.forward(Reference.random(3, 2, 5, 7)));
        assertTrue(error.getMessage().contains("[2, 5, 7]"), error.getMessage());
        INDArray nan = Reference.random(3, 2, 5, 6);
        nan.putScalar(1, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> mha.forward(nan));
    }
}
