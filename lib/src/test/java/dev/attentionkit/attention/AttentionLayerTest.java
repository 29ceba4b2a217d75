package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.LocalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.mask.MaskFill;
import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.score.LocationScore;
import dev.attentionkit.score.MultiplicativeScore;
import dev.attentionkit.score.ScoreFunction;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("AttentionLayer: score, mask, normalisation, dropout, weighted sum")
class AttentionLayerTest {
    private static final double TOL = 1e-5;

    @Test
    @DisplayName("defaults are scaled dot-product attention: same as ScaledDotProductAttention.apply")
    void defaults() {
        INDArray q = Seeded.array(1, 2, 3, 4);
        INDArray k = Seeded.array(2, 2, 5, 4);
        INDArray v = Seeded.array(3, 2, 5, 6);
        AttentionOutput layer = AttentionLayer.builder().build().attend(q, k, v);
        AttentionOutput direct = ScaledDotProductAttention.apply(q, k, v);
        assertArrayEquals(Values.flat(direct.context()), Values.flat(layer.context()), 1e-7);
    }

    @Test
    @DisplayName("additive scores with a padding mask agree with a naive loop (queries, keys, values of different sizes)")
    void additiveWithPadding() {
        AdditiveScore score = AdditiveScore.fromSeed(3, 4, 5, 17);
        Mask padding = PaddingMask.validLengths(2, 6, 3, 6);
        AttentionLayer layer = AttentionLayer.builder().score(score).mask(padding).build();
        INDArray q = Seeded.array(4, 2, 2, 3);
        INDArray k = Seeded.array(5, 2, 6, 4);
        INDArray v = Seeded.array(6, 2, 6, 7);
        AttentionOutput out = layer.attend(q, k, v);
        assertArrayEquals(new long[] {2, 2, 7}, out.context().shape());
        double[][] wq = Values.of2(score.wQ());
        double[][] wk = Values.of2(score.wK());
        double[] vv = Values.flat(score.v());
        double[][][] qs = Values.of3(q);
        double[][][] ks = Values.of3(k);
        double[][][] vs = Values.of3(v);
        int[] valid = {3, 6};
        for (int b = 0; b < 2; b++) {
            double[][] weights = new double[2][];
            double[][] context = new double[2][7];
            for (int i = 0; i < 2; i++) {
                double[] scores = new double[6];
                boolean[] keep = new boolean[6];
                for (int j = 0; j < 6; j++) {
                    scores[j] = Loops.additiveScore(qs[b][i], ks[b][j], wq, wk, vv);
                    keep[j] = j < valid[b];
                }
                weights[i] = Loops.maskedSoftmax(scores, keep);
                for (int j = 0; j < 6; j++) {
                    for (int d = 0; d < 7; d++) {
                        context[i][d] += weights[i][j] * vs[b][j][d];
                    }
                }
            }
            Check.assertClose(weights, out.weights().slice(b), TOL, "weights " + b);
            Check.assertClose(context, out.context().slice(b), TOL, "context " + b);
        }
    }

    @Test
    @DisplayName("every score function plugs into the same layer with a causal local window")
    void swapScores() {
        INDArray x = Seeded.array(7, 2, 6, 4);
        ScoreFunction[] scores = {ScoreFunction.dotProduct(), ScoreFunction.scaledDotProduct(),
            MultiplicativeScore.fromSeed(4, 4, 1), AdditiveScore.fromSeed(4, 4, 8, 2), LocationScore.fromSeed(4, 10, 3)};
        for (ScoreFunction score : scores) {
            AttentionOutput out = AttentionLayer.builder().score(score).mask(LocalMask.causalWindow(6, 3)).build()
                .attend(x, x, x);
            double[][][] w = Values.of3(out.weights());
            for (int i = 0; i < 6; i++) {
                double sum = 0;
                for (int j = 0; j < 6; j++) {
                    if (j > i || j < i - 2) {
                        assertEquals(0.0, w[1][i][j], 0.0, score + ": outside the window");
                    }
                    sum += w[1][i][j];
                }
                assertEquals(1.0, sum, 1e-6, score + ": row " + i);
            }
        }
    }

    @Test
    @DisplayName("a per-call mask is combined with the layer's own; a fully masked row gives a zero context")
    void perCallMask() {
        AttentionLayer layer = AttentionLayer.builder().mask(CausalMask.of(4)).build();
        INDArray x = Seeded.array(8, 2, 4, 3);
        AttentionOutput out = layer.attend(x, x, x, PaddingMask.validLengths(4, 4, 2, 0));
        assertEquals(0.0, out.context().slice(1).norm1Number().doubleValue(), 0.0);
        assertEquals(0.0, out.weights().slice(0).getDouble(3, 2), 0.0, "padding hides key 2");
    }

    @Test
    @DisplayName("the normalisation is swappable: the -1e9 convention, or a custom uniform average")
    void swapNormalization() {
        INDArray x = Seeded.array(9, 1, 5, 3);
        AttentionOutput inf = AttentionLayer.builder().mask(CausalMask.of(5)).build().attend(x, x, x);
        AttentionOutput big = AttentionLayer.builder().mask(CausalMask.of(5))
            .normalization(Normalization.softmax(MaskFill.MINUS_1E9)).build().attend(x, x, x);
        assertArrayEquals(Values.flat(inf.weights()), Values.flat(big.weights()), 0.0);
        Normalization uniform = (scores, mask) -> {
            INDArray keep = mask.broadcastableTo(scores).castTo(scores.dataType()).mul(Nd4j.onesLike(scores));
            return keep.divi(keep.sum(true, keep.rank() - 1));
        };
        AttentionOutput mean = AttentionLayer.builder().mask(CausalMask.of(5)).normalization(uniform).build()
            .attend(x, x, x);
        double[][] xs = Values.of3(x)[0];
        double[] expected = new double[3];
        for (int t = 0; t < 5; t++) {
            for (int d = 0; d < 3; d++) {
                expected[d] += xs[t][d] / 5;
            }
        }
        assertArrayEquals(expected, Values.of3(mean.context())[0][4], 1e-6, "last token averages all five");
    }

    @Test
    @DisplayName("dropout on the weights in training, none in eval")
    void dropout() {
        Dropout dropout = Dropout.of(0.5, 4);
        AttentionLayer layer = AttentionLayer.builder().dropout(dropout).build();
        INDArray x = Seeded.array(10, 1, 20, 3);
        assertTrue(layer.attend(x, x, x).weights().eq(0.0).any(), "training drops weights");
        dropout.eval();
        assertArrayEquals(Values.flat(ScaledDotProductAttention.apply(x, x, x).weights()),
            Values.flat(layer.attend(x, x, x).weights()), 1e-7);
    }

    @Test
    @DisplayName("a mask that does not fit the scores is rejected naming both shapes")
    void maskMismatch() {
        AttentionLayer layer = AttentionLayer.builder().mask(CausalMask.of(4)).build();
        INDArray q = Seeded.array(1, 2, 3, 4);
        INDArray kv = Seeded.array(2, 2, 5, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.attend(q, kv, kv));
        assertTrue(e.getMessage().contains("[4, 4]") && e.getMessage().contains("[2, 3, 5]"), e.getMessage());
    }
}
