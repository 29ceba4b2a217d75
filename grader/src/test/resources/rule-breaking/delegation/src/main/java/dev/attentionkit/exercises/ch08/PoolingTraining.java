package dev.attentionkit.exercises.ch08;

import dev.attentionkit.train.TrainableScaledDotProductAttention;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 8.5 lets the kit's trainable attention and SameDiff's autodiff do the training
public final class PoolingTraining {
    private PoolingTraining() {}

    public static double[] train(double[][][] x, double[][] targets, double[] initialQuery, int steps,
                                 double learningRate) {
        int n = x.length, t = x[0].length, d = x[0][0].length;
        if (targets.length != n || initialQuery.length != d || targets[0].length != d || steps < 0
            || !(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("bad input");
        }
        double[] flat = new double[n * t * d];
        for (int s = 0; s < n; s++) {
            for (int u = 0; u < t; u++) {
                System.arraycopy(x[s][u], 0, flat, (s * t + u) * d, d);
            }
        }
        SameDiff sd = SameDiff.create();
        SDVariable tokens = sd.constant("x", Nd4j.create(flat, new long[] {n, t, d}, 'c'));
        SDVariable y = sd.constant("y", Nd4j.create(targets).reshape(n, 1, d));
        SDVariable q = sd.var("q", Nd4j.create(initialQuery, new long[] {1, 1, d}, 'c'));
        SDVariable queries = sd.constant("ones", Nd4j.ones(DataType.DOUBLE, n, 1, 1)).mul(q);        // [n, 1, d]
        SDVariable pooled = TrainableScaledDotProductAttention.apply(queries, tokens, tokens, d, null).context();
        SDVariable diff = pooled.sub(y);
        SDVariable loss = diff.mul(diff).sum().div((double) n * d);
        loss.markAsLoss();
        INDArray query = q.getArr();
        for (int step = 0; step < steps; step++) {
            Map<String, INDArray> g = sd.calculateGradients(Map.of(), "q");
            query.subi(g.get("q").mul(learningRate));
        }
        return query.reshape(d).toDoubleVector();
    }
}
