package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.attentionkit.attention.ScaledDotProductAttention;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.Points;
import dev.attentionkit.mask.CausalMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("10.3 One KV-cache step: append, attend")
class KvCacheStepTest {
    
    @Test
    @Hint("append first, then scores q·k/sqrt(d) over all keys, a softmax (subtract the largest score), and the weighted sum of the values.")
    @Points(1)
    @DisplayName("by hand: an empty cache returns the new value; equal scores average the values")
    void byHand() {
        List<double[]> keys = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        double[] v0 = {1, 2};
        assertArrayEquals(v0, KvCacheStep.step(new double[] {3, 4}, keys, values, new double[] {1, 0}, v0), 1e-12,
            "first step: the only value");
        assertEquals(1, keys.size(), "the new key must be appended to keys");
        assertSame(v0, values.get(0), "the new value must be appended to values");
        // query [0, 0]: every score is 0, so the context is the mean of the values.
        double[] c = KvCacheStep.step(new double[] {0, 0}, keys, values, new double[] {5, 5}, new double[] {3, 6});
        assertArrayEquals(new double[] {2, 4}, c, 1e-12, "equal scores: the mean of [1, 2] and [3, 6]");
    }

    @Test
    @Hint("append first, then scores q·k/sqrt(d) over all keys, a softmax (subtract the largest score), and the weighted sum of the values.")
    @Points(1)
    @DisplayName("step by step, equal to causal attention over the whole sequence")
    void likeFullAttention() {
        Random random = new Random(103);
        int t = 6, d = 4, dv = 3;
        double[][] q = new double[t][d], k = new double[t][d], v = new double[t][dv];
        for (int i = 0; i < t; i++) {
            for (int f = 0; f < d; f++) {
                q[i][f] = random.nextGaussian();
                k[i][f] = random.nextGaussian();
            }
            for (int f = 0; f < dv; f++) {
                v[i][f] = random.nextGaussian();
            }
        }
        INDArray full = ScaledDotProductAttention.apply(Nd4j.create(q), Nd4j.create(k), Nd4j.create(v), CausalMask.of(t))
            .context();                                                                     // [t, dv]
        List<double[]> keys = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            double[] c = KvCacheStep.step(q[i], keys, values, k[i], v[i]);
            assertArrayEquals(full.getRow(i).toDoubleVector(), c, 1e-9, "step " + i);
        }
        assertEquals(t, values.size());
    }
}
