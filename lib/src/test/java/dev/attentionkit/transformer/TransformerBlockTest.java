package dev.attentionkit.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.train.TrainableAttentionOutput;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.train.TrainableTransformerBlock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Positional encodings, layer norm, feed-forward and the pre-LN block against plain-Java loops. */
@DisplayName("Transformer block and its parts")
class TransformerBlockTest {
    private static final double TOL = 1e-5;

    /** {@code expected} in row-major order against every value of {@code actual}, whatever its shape. */
    private static void assertFlatClose(double[] expected, INDArray actual, double tol, String what) {
        Check.assertClose(actual.shape(), expected, actual, tol, what);
    }

    // ---- loop references ----

    private static double[] ffn(FeedForward f, double[] x) {
        double[] h = Loops.linear(x, f.fc1().weight().toDoubleMatrix(), f.fc1().bias().orElseThrow().toDoubleVector());
        for (int i = 0; i < h.length; i++) {
            h[i] = Math.max(0, h[i]);
        }
        return Loops.linear(h, f.fc2().weight().toDoubleMatrix(), f.fc2().bias().orElseThrow().toDoubleVector());
    }

    private static double[] ln(LayerNorm n, double[] x) {
        return Loops.layerNorm(x, n.gamma().toDoubleVector(), n.beta().toDoubleVector(), n.eps());
    }

    /** Non-causal multi-head self-attention of one sequence {@code [t][d]}, by loops. */
    private static double[][] selfAttention(MultiHeadAttention m, double[][] x) {
        double[][] merged = Loops.multiHead(Loops.linear(x, m.query().weight().toDoubleMatrix(), null),
            Loops.linear(x, m.key().weight().toDoubleMatrix(), null), Loops.linear(x, m.value().weight().toDoubleMatrix(), null),
            m.numHeads(), Loops.Keep.ALL).context();
        return Loops.linear(merged, m.outProj().weight().toDoubleMatrix(), m.outProj().bias().orElseThrow().toDoubleVector());
    }

    private static double[][] block(TransformerBlock b, double[][] x) {
        int t = x.length;
        double[][] h = new double[t][];
        for (int i = 0; i < t; i++) {
            h[i] = ln(b.ln1(), x[i]);
        }
        double[][] att = selfAttention((MultiHeadAttention) b.attention(), h);
        double[][] y = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] a = new double[x[i].length];
            for (int c = 0; c < a.length; c++) {
                a[c] = x[i][c] + att[i][c];
            }
            double[] f = ffn(b.ffn(), ln(b.ln2(), a));
            y[i] = new double[a.length];
            for (int c = 0; c < a.length; c++) {
                y[i][c] = a[c] + f[c];
            }
        }
        return y;
    }

    // ---- tests ----

    @Test
    @DisplayName("sinusoidal encoding: sin on even columns, cos on odd ones, 10000^(2i/d); odd d too")
    void sinusoidal() {
        for (int d : new int[] {6, 5}) {
            INDArray pe = SinusoidalPositionalEncoding.table(7, d);
            assertArrayEquals(new long[] {7, d}, pe.shape());
            double[] expected = new double[7 * d];
            for (int pos = 0; pos < 7; pos++) {
                for (int i = 0; 2 * i < d; i++) {
                    double angle = pos / Math.pow(10000, 2.0 * i / d);
                    expected[pos * d + 2 * i] = Math.sin(angle);
                    if (2 * i + 1 < d) {
                        expected[pos * d + 2 * i + 1] = Math.cos(angle);
                    }
                }
            }
            assertFlatClose(expected, pe, 1e-6, "PE with d = " + d);
        }
        INDArray x = Seeded.array(1, 2, 3, 4);
        INDArray sum = SinusoidalPositionalEncoding.add(x);
        assertFlatClose(x.add(SinusoidalPositionalEncoding.table(3, 4).reshape(1, 3, 4).broadcast(2, 3, 4))
            .reshape(24).toDoubleVector(), sum, 1e-6, "x + PE");
        assertThrows(IllegalArgumentException.class, () -> SinusoidalPositionalEncoding.table(0, 4));
        assertThrows(IllegalArgumentException.class, () -> SinusoidalPositionalEncoding.add(Nd4j.ones(4)));
    }

    @Test
    @DisplayName("learned positional embedding adds its first rows; too many tokens or a wrong width are rejected")
    void learned() {
        LearnedPositionalEmbedding e = LearnedPositionalEmbedding.fromSeed(5, 4, 123);
        assertArrayEquals(new long[] {5, 4}, e.weight().shape());
        assertEquals(e.weight().toString(), LearnedPositionalEmbedding.fromSeed(5, 4, 123).weight().toString(),
            "same seed, same rows");
        INDArray x = Seeded.array(2, 3, 4);
        double[] expected = new double[12];
        double[][] w = e.weight().toDoubleMatrix();
        double[][] xs = x.toDoubleMatrix();
        for (int t = 0; t < 3; t++) {
            for (int c = 0; c < 4; c++) {
                expected[t * 4 + c] = xs[t][c] + w[t][c];
            }
        }
        assertFlatClose(expected, e.add(x), 1e-6, "x + wpe[0..2]");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> e.add(Seeded.array(3, 6, 4)));
        assertTrue(tooLong.getMessage().contains("contextLength"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.add(Seeded.array(3, 3, 5)));
    }

    @Test
    @DisplayName("layer norm: biased variance over the last axis, then gamma and beta")
    void layerNorm() {
        INDArray gamma = Seeded.array(4, 5);
        INDArray beta = Seeded.array(5, 5);
        LayerNorm n = LayerNorm.fromWeights(gamma, beta, 1e-5);
        INDArray x = Seeded.array(6, 2, 3, 5);
        double[][][] xs = new double[2][3][];
        double[] expected = new double[30];
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 3; t++) {
                double[] row = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .toDoubleVector();
                System.arraycopy(Loops.layerNorm(row, gamma.toDoubleVector(), beta.toDoubleVector(), 1e-5), 0, expected,
                    (b * 3 + t) * 5, 5);
            }
        }
        assertFlatClose(expected, n.forward(x), TOL, "LayerNorm");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> n.forward(Seeded.array(7, 3, 4)));
        assertTrue(e.getMessage().contains("d = 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerNorm.fromWeights(gamma, Seeded.array(1, 4), 1e-5));
        assertThrows(IllegalArgumentException.class, () -> LayerNorm.fromWeights(gamma, beta, 0));
    }

    @Test
    @DisplayName("feed-forward: fc2(relu(fc1(x))) on every token")
    void feedForward() {
        FeedForward f = FeedForward.fromSeed(4, 8, 3);
        INDArray x = Seeded.array(8, 3, 4);
        double[] expected = new double[12];
        double[][] xs = x.toDoubleMatrix();
        for (int t = 0; t < 3; t++) {
            System.arraycopy(ffn(f, xs[t]), 0, expected, t * 4, 4);
        }
        assertFlatClose(expected, f.forward(x), TOL, "FeedForward");
        assertThrows(IllegalArgumentException.class,
            () -> FeedForward.fromLayers(Linear.fromWeights(Seeded.array(1, 8, 4), null), Linear.fromWeights(Seeded.array(2, 3, 8), null)));
    }

    @Test
    @DisplayName("block: x + attn(ln1(x)), then + ffn(ln2(.)), non-causal, batched, against loops")
    void blockForward() {
        TransformerBlock b = TransformerBlock.of(LayerNorm.fromWeights(Seeded.array(10, 4), Seeded.array(11, 4), 1e-5),
            MultiHeadAttention.fromWeights(Seeded.array(12, 4, 4), Seeded.array(13, 4, 4), Seeded.array(14, 4, 4), Seeded.array(15, 4, 4),
                Seeded.array(16, 4), 2, 8).bidirectional(),
            LayerNorm.fromWeights(Seeded.array(17, 4), Seeded.array(18, 4), 1e-5), FeedForward.fromSeed(4, 6, 19));
        INDArray x = Seeded.array(20, 2, 3, 4);
        AttentionOutput out = b.attend(x, null);
        assertArrayEquals(new long[] {2, 3, 4}, out.context().shape());
        assertArrayEquals(new long[] {2, 2, 3, 3}, out.weights().shape());
        double[] expected = new double[24];
        for (int i = 0; i < 2; i++) {
            double[][] y = block(b, x.slice(i).toDoubleMatrix());
            for (int t = 0; t < 3; t++) {
                System.arraycopy(y[t], 0, expected, (i * 3 + t) * 4, 4);
            }
        }
        assertFlatClose(expected, out.context(), 1e-4, "block output");
        // Non-causal: the first token's weights reach the last token.
        assertTrue(out.weights().getDouble(0, 0, 0, 2) > 0, "token 0 attends to token 2");
        // Unbatched input gives the first example's rows.
        assertFlatClose(java.util.Arrays.copyOf(expected, 12), b.forward(x.slice(0)), 1e-4, "unbatched");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.forward(Seeded.array(1, 3, 5)));
        assertTrue(e.getMessage().contains("TransformerBlock"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TransformerBlock.of(LayerNorm.of(4),
            MultiHeadAttention.fromSeed(4, 4, 8, 0, 2, 1), LayerNorm.of(5), FeedForward.fromSeed(4, 6, 1)));
    }

    @Test
    @DisplayName("the SameDiff block computes what the plain block computes, and writes its weights back")
    void trainableTwin() {
        TransformerBlock plain = TransformerBlock.fromSeed(8, 2, 16, 10, 5);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5, 8);
        TrainableTransformerBlock twin = TrainableTransformerBlock.from(sd, "block", plain);
        TrainableAttentionOutput out = twin.attend(x, 5, null);
        sd.identity("y", out.context());
        sd.identity("w", out.weights());
        INDArray in = Seeded.array(30, 3, 5, 8);
        Map<String, INDArray> got = sd.output(Map.of("x", in), "y", "w");
        AttentionOutput expected = plain.attend(in, null);
        assertFlatClose(expected.context().reshape(120).toDoubleVector(), got.get("y"), 1e-4, "block output");
        assertFlatClose(expected.weights().reshape(expected.weights().length()).toDoubleVector(), got.get("w"), 1e-5,
            "weights");
        assertFlatClose(expected.context().reshape(120).toDoubleVector(), twin.toPlain().forward(in), 1e-5,
            "written back");
    }
}
