package dev.attentionkit.exercises.ch07;

import static dev.attentionkit.exercises.Graded.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.exercises.Graded;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.Points;
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
class SameDiffAttentionTest {
    private static final int NQ = 3;
    private static final int NK = 4;
    private static final int DK = 5;
    private static final int DV = 2;

    private record Graph(SameDiff sd, SDVariable context, INDArray q, INDArray k, INDArray v) {}

    /** The learner's graph on double-precision variables (finite differences need doubles). */
    private static Graph build() {
        INDArray q = Graded.randomMatrix(100, NQ, DK).castTo(DataType.DOUBLE);
        INDArray k = Graded.randomMatrix(101, NK, DK).castTo(DataType.DOUBLE);
        INDArray v = Graded.randomMatrix(102, NK, DV).castTo(DataType.DOUBLE);
        SameDiff sd = SameDiff.create();
        SDVariable context = SameDiffAttention.context(sd.var("q", q), sd.var("k", k), sd.var("v", v));
        assertNotNull(context, "context returned null");
        return new Graph(sd, context, q, k, v);
    }

    @Test
    @Hint("sd.mmul(queries, keys, false, true, false) is Q·Kᵀ; divide by Math.sqrt(dK); sd.nn.softmax(scores, 1); then sd.mmul with values.")
    @Points(2)
    @DisplayName("the forward pass computes softmax(Q·Kᵀ/sqrt(dK))·V")
    void forward() {
        Graph g = build();
        double[][] scores = Graded.matmul(g.q().toDoubleMatrix(), Graded.transpose(g.k().toDoubleMatrix()));
        for (double[] row : scores) {
            for (int j = 0; j < row.length; j++) {
                row[j] /= Math.sqrt(DK);
            }
        }
        double[][] expected = Graded.matmul(Graded.softmaxRows(scores), g.v().toDoubleMatrix());
        INDArray got = g.sd().output(Map.of(), g.context().name()).get(g.context().name());
        assertClose(expected, got, 1e-6, "context [queries, dV]");
    }

    @Test
    @Hint("sd.mmul(queries, keys, false, true, false) is Q·Kᵀ; divide by Math.sqrt(dK); sd.nn.softmax(scores, 1); then sd.mmul with values.")
    @Points(2)
    @DisplayName("GradCheckUtil: analytic gradients of Q, K and V match finite differences")
    void gradients() {
        Graph g = build();
        // A loss that weighs every context entry differently, so no gradient can cancel out.
        INDArray r = Graded.randomMatrix(103, NQ, DV).castTo(DataType.DOUBLE);
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
    }
}
