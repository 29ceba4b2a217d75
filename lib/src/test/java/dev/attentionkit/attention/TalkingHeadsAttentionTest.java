package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("TalkingHeadsAttention: heads mix their logits and their weights")
class TalkingHeadsAttentionTest {
    private static final int HEADS = 3;
    private static final int D = 6;
    private static final int T = 5;

    private static AttentionConfig config() {
        return AttentionConfig.builder().dIn(D).dOut(D).contextLength(8).numHeads(HEADS).build();
    }

    @ParameterizedTest(name = "causal = {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("with identity mixing it computes exactly what MultiHeadAttention computes with the same projections")
    void identityMixingIsMultiHeadAttention(boolean causal) {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(config(), 21).eval();
        MultiHeadAttention heads = causal ? mha : mha.bidirectional();
        INDArray eye = Nd4j.eye(HEADS).castTo(DataType.FLOAT);
        TalkingHeadsAttention th = TalkingHeadsAttention.of(heads, eye, eye).eval();
        assertEquals(causal, th.isCausal());
        INDArray x = Seeded.array(22, 2, T, D);
        var mask = PaddingMask.validLengths(T, T, 4, 5);
        AttentionOutput expected = heads.attend(x, mask);
        AttentionOutput actual = th.attend(x, mask);
        assertArrayEquals(Values.flat(expected.context()), Values.flat(actual.context()), 0.0, "context, bit for bit");
        assertArrayEquals(Values.flat(expected.weights()), Values.flat(actual.weights()), 0.0, "weights, bit for bit");
        // fromSeed with no mixing noise draws the same projections as MultiHeadAttention.fromSeed
        TalkingHeadsAttention seeded = TalkingHeadsAttention.fromSeed(config(), 0.0, 21).eval();
        assertArrayEquals(Values.flat(mha.attend(x).context()), Values.flat(seeded.attend(x).context()), 0.0);
    }

    @ParameterizedTest(name = "causal = {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("with learned mixing it matches a plain-loop reference, unbatched and batched, with a padding mask")
    void matchesPlainLoops(boolean causal) {
        TalkingHeadsAttention seeded = TalkingHeadsAttention.fromSeed(config(), 0.8, 23).eval();
        TalkingHeadsAttention th = causal ? seeded : seeded.bidirectional();
        INDArray x = Seeded.array(24, 2, T, D);
        var mask = PaddingMask.validLengths(T, T, 3, 5);
        AttentionOutput out = th.attend(x, mask);
        boolean[][][] padded = Values.bools(mask.keep());
        for (int b = 0; b < 2; b++) {
            boolean[][] keep = new boolean[T][T];
            for (int i = 0; i < T; i++) {
                for (int j = 0; j < T; j++) {
                    keep[i][j] = padded[b][i][j] && (!causal || j <= i);
                }
            }
            double[][][] ref = reference(th, Values.of3(x)[b], keep);
            Check.assertClose(ref[0], out.context().get(org.nd4j.linalg.indexing.NDArrayIndex.point(b)).dup(), 1e-5,
                "context of sequence " + b);
            double[] w = Values.flat(out.weights().get(org.nd4j.linalg.indexing.NDArrayIndex.point(b)).dup());
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < T; i++) {
                    for (int j = 0; j < T; j++) {
                        assertEquals(ref[1 + h][i][j], w[(h * T + i) * T + j], 1e-6, "weight h" + h + " " + i + "," + j);
                    }
                }
            }
        }
        // the unbatched form is the batched one's first sequence
        AttentionOutput one = th.attend(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup());
        assertArrayEquals(new long[] {HEADS, T, T}, one.weights().shape());
        double[][][] ref = reference(th, Values.of3(x)[0], causalOrAll(causal));
        Check.assertClose(ref[0], one.context(), 1e-5, "unbatched context");
        // the mixing really changed something: independent heads give another output
        TalkingHeadsAttention independent = TalkingHeadsAttention.fromLayers(th.query(), th.key(), th.value(),
            Nd4j.eye(HEADS).castTo(DataType.FLOAT), Nd4j.eye(HEADS).castTo(DataType.FLOAT), th.outProj(), HEADS, 8, null);
        assertFalse(one.context().equalsWithEps(
            (causal ? independent : independent.bidirectional()).attend(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup())
                .context(), 1e-3), "mixing has an effect");
    }

    private static boolean[][] causalOrAll(boolean causal) {
        boolean[][] keep = new boolean[T][T];
        for (int i = 0; i < T; i++) {
            for (int j = 0; j < T; j++) {
                keep[i][j] = !causal || j <= i;
            }
        }
        return keep;
    }

    /** {context [T][D], then the mixed weights of each head [T][T]} of one sequence, from the module's arrays. */
    private static double[][][] reference(TalkingHeadsAttention m, double[][] x, boolean[][] keep) {
        int hd = D / HEADS;
        double[][] q = Loops.linear(x, Values.of2(m.query().weight()), null);
        double[][] k = Loops.linear(x, Values.of2(m.key().weight()), null);
        double[][] v = Loops.linear(x, Values.of2(m.value().weight()), null);
        double[][] pl = Values.of2(m.logitsMix());
        double[][] pw = Values.of2(m.weightsMix());
        double[][][] s = new double[HEADS][T][T];
        for (int h = 0; h < HEADS; h++) {
            for (int i = 0; i < T; i++) {
                for (int j = 0; j < T; j++) {
                    for (int c = h * hd; c < (h + 1) * hd; c++) {
                        s[h][i][j] += q[i][c] * k[j][c];
                    }
                    s[h][i][j] /= Math.sqrt(hd);
                }
            }
        }
        double[][][] a = new double[HEADS][T][];
        for (int hj = 0; hj < HEADS; hj++) {
            for (int i = 0; i < T; i++) {
                double[] l = new double[T];
                for (int j = 0; j < T; j++) {
                    for (int hi = 0; hi < HEADS; hi++) {
                        l[j] += s[hi][i][j] * pl[hi][hj];
                    }
                }
                a[hj][i] = Loops.maskedSoftmax(l, keep[i]);
            }
        }
        double[][][] out = new double[1 + HEADS][][];
        double[][] merged = new double[T][D];
        for (int hj = 0; hj < HEADS; hj++) {
            out[1 + hj] = new double[T][T];
            for (int i = 0; i < T; i++) {
                for (int j = 0; j < T; j++) {
                    for (int hi = 0; hi < HEADS; hi++) {
                        out[1 + hj][i][j] += a[hi][i][j] * pw[hi][hj];
                    }
                    for (int c = hj * hd; c < (hj + 1) * hd; c++) {
                        merged[i][c] += out[1 + hj][i][j] * v[j][c];
                    }
                }
            }
        }
        out[0] = Loops.linear(merged, Values.of2(m.outProj().weight()), m.outProj().bias().orElseThrow().toDoubleVector());
        return out;
    }

    @Test
    @DisplayName("parameters: PyTorch-style names, live arrays, multi-head attention's count plus 2·heads²")
    void parameters() {
        TalkingHeadsAttention th = TalkingHeadsAttention.fromSeed(config(), 25);
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(config(), 25);
        assertEquals(java.util.List.of("W_query.weight", "W_key.weight", "W_value.weight", "pre_softmax_proj",
            "post_softmax_proj", "out_proj.weight", "out_proj.bias"), java.util.List.copyOf(th.parameters().keySet()));
        assertEquals(mha.parameterCount() + 2L * HEADS * HEADS, th.parameterCount());
        assertTrue(th.parameters().get("pre_softmax_proj") == th.logitsMix(), "live, not a copy");
        INDArray x = Seeded.array(26, 1, T, D);
        double[] before = Values.flat(th.eval().forward(x));
        th.weightsMix().putScalar(0, 1, 0.7);
        assertFalse(java.util.Arrays.equals(before, Values.flat(th.forward(x))), "editing post_softmax_proj changes the output");
        assertTrue(th.toString().contains("numHeads=3"), th.toString());
    }

    @Test
    @DisplayName("bad input: wrong mixing shapes, NaN, null, a wrong width and too many tokens are named")
    void badInput() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(config(), 27);
        INDArray eye = Nd4j.eye(HEADS).castTo(DataType.FLOAT);
        String shape = assertThrows(IllegalArgumentException.class,
            () -> TalkingHeadsAttention.of(mha, Nd4j.eye(2).castTo(DataType.FLOAT), eye)).getMessage();
        assertTrue(shape.contains("logitsMix") && shape.contains("[heads, heads]"), shape);
        INDArray nan = eye.dup();
        nan.putScalar(1, 1, Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> TalkingHeadsAttention.of(mha, eye, nan));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TalkingHeadsAttention.of(mha, eye, null))
            .getMessage().contains("weightsMix is null"));
        assertThrows(IllegalArgumentException.class, () -> TalkingHeadsAttention.fromSeed(config(), -1, 1));
        TalkingHeadsAttention th = TalkingHeadsAttention.of(mha, eye, eye);
        String width = assertThrows(IllegalArgumentException.class, () -> th.attend(Nd4j.zeros(DataType.FLOAT, 1, 3, 5)))
            .getMessage();
        assertTrue(width.contains("6"), width);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> th.attend(Nd4j.zeros(DataType.FLOAT, 1, 9, D)))
            .getMessage().contains("contextLength"));
        assertThrows(IllegalArgumentException.class, () -> TalkingHeadsAttention.mixHeads(Nd4j.zeros(2, 3, 4), eye));
    }
}
