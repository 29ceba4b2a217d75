package dev.attentionkit.exercises.ch07;

import static dev.attentionkit.testkit.Check.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("7.4 Scaled dot-product attention in SameDiff, gradient-checked")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.train.*",
    "*#dotProductAttention",
    "*#dotProductAttentionV2",
    "*#multiHeadDotProductAttention",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.DotProductAttention",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.DotProductAttentionV2",
    "org.nd4j.linalg.api.ops.impl.transforms.custom.MultiHeadDotProductAttention"})
class SameDiffAttentionTest {
    private static final int NQ = 3;
    private static final int NK = 4;
    private static final int DK = 5;
    private static final int DV = 2;

    private record Graph(SameDiff sd, SDVariable context, INDArray q, INDArray k, INDArray v) {}

    /** The learner's graph on double-precision variables (finite differences need doubles). */
    private static Graph build() {
        INDArray q = Seeded.matrix(100, NQ, DK).castTo(DataType.DOUBLE);
        INDArray k = Seeded.matrix(101, NK, DK).castTo(DataType.DOUBLE);
        INDArray v = Seeded.matrix(102, NK, DV).castTo(DataType.DOUBLE);
        SameDiff sd = SameDiff.create();
        SDVariable context = SameDiffAttention.context(sd.var("q", q), sd.var("k", k), sd.var("v", v));
        assertNotNull(context, "context returned null");
        return new Graph(sd, context, q, k, v);
    }

    @Test
    @Hint(value = "Build every step with SameDiff operations, and check what the scores are divided by.",
        full = "sd.mmul(queries, keys, false, true, false) is Q·Kᵀ; divide by Math.sqrt(dK); sd.nn.softmax(scores, 1); then sd.mmul with values.")
    @Points(2)
    @DisplayName("the forward pass computes softmax(Q·Kᵀ/sqrt(dK))·V")
    void forward() {
        Graph g = build();
        double[][] scores = Loops.matmul(g.q().toDoubleMatrix(), Loops.transpose(g.k().toDoubleMatrix()));
        for (double[] row : scores) {
            for (int j = 0; j < row.length; j++) {
                row[j] /= Math.sqrt(DK);
            }
        }
        double[][] expected = Loops.matmul(Loops.softmaxRows(scores), g.v().toDoubleMatrix());
        INDArray got = g.sd().output(Map.of(), g.context().name()).get(g.context().name());
        assertClose(expected, got, 1e-6, "context [queries, dV]");
    }

    @Test
    @Hint(value = "Build every step with SameDiff operations, and check what the scores are divided by.",
        full = "sd.mmul(queries, keys, false, true, false) is Q·Kᵀ; divide by Math.sqrt(dK); sd.nn.softmax(scores, 1); then sd.mmul with values.")
    @Points(2)
    @DisplayName("gradients of Q, K and V match finite differences (GradCheckUtil) and the hand-derived ones")
    void gradients() {
        Graph g = build();
        // A loss that weighs every context entry differently, so no gradient can cancel out.
        INDArray r = Seeded.matrix(103, NQ, DV).castTo(DataType.DOUBLE);
        SDVariable loss = g.sd().sum("loss", g.context().mul(g.sd().constant("r", r)));
        loss.markAsLoss();
        // GradCheckUtil insists on double as ND4J's default type; restore the course's float afterwards.
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        boolean ok;
        try {
            ok = GradCheckUtil.checkGradients(g.sd(), Map.of(), 1e-6, 1e-5, 1e-8, false, false);
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
        assertTrue(ok, "gradients differ from finite differences: use only SameDiff operations (sd.mmul, div, "
            + "sd.nn.softmax), never values computed outside the graph");
        // Finite differences agree with any graph, a wrong one included: compare with the gradients of the
        // right function too, worked out by hand below.
        Map<String, INDArray> grads = g.sd().calculateGradients(Map.of(), "q", "k", "v");
        double[][][] want = referenceGradients(g.q().toDoubleMatrix(), g.k().toDoubleMatrix(), g.v().toDoubleMatrix(),
            r.toDoubleMatrix());
        assertClose(want[0], grads.get("q"), 1e-6, "dLoss/dQ");
        assertClose(want[1], grads.get("k"), 1e-6, "dLoss/dK");
        assertClose(want[2], grads.get("v"), 1e-6, "dLoss/dV");
    }

    /**
     * Gradients of loss = Σ R ⊙ (A·V) with A = softmax(S), S = Q·Kᵀ/√d, in plain loops: dV = Aᵀ·R,
     * dA = R·Vᵀ, dS_ij = A_ij (dA_ij − Σ_k A_ik dA_ik), dQ = dS·K/√d, dK = dSᵀ·Q/√d.
     */
    private static double[][][] referenceGradients(double[][] q, double[][] k, double[][] v, double[][] r) {
        double scale = Math.sqrt(q[0].length);
        double[][] s = Loops.matmul(q, Loops.transpose(k));
        for (double[] row : s) {
            for (int j = 0; j < row.length; j++) {
                row[j] /= scale;
            }
        }
        double[][] a = Loops.softmaxRows(s);
        double[][] dV = Loops.matmul(Loops.transpose(a), r);
        double[][] dA = Loops.matmul(r, Loops.transpose(v));
        double[][] dS = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            for (int j = 0; j < a[i].length; j++) {
                dot += a[i][j] * dA[i][j];
            }
            for (int j = 0; j < a[i].length; j++) {
                dS[i][j] = a[i][j] * (dA[i][j] - dot) / scale;
            }
        }
        return new double[][][] {Loops.matmul(dS, k), Loops.matmul(Loops.transpose(dS), q), dV};
    }
}
