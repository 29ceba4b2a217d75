package dev.attentionkit.exercises.ch08;

/**
 * Exercise 8.5 — train something: the query of attention pooling, by gradient descent, with the backward pass written
 * out as chapter 08's classifiers do it. Each training example is a sequence {@code x_n} of T tokens with d features
 * and a target vector {@code y_n}; the model pools the sequence with one learned query {@code q}:
 *
 * <pre>
 * s_n[t]  = x_n[t] · q / sqrt(d)                  [T]   one score per token
 * w_n     = softmax(s_n)                          [T]
 * p_n     = Σ_t w_n[t] · x_n[t]                   [d]   the pooled vector
 * loss    = 1/(N·d) · Σ_n Σ_c (p_n[c] − y_n[c])²        mean squared error over every number (PyTorch's MSELoss)
 * </pre>
 *
 * One step of gradient descent is {@code q ← q − learningRate · ∂loss/∂q}, on the whole training set. The grader
 * checks your steps against its own, then measures the loss of the query you return on sequences you never see,
 * with the kit's attention code: it must fall well below the loss of a query of zeros (uniform weights). Only the
 * query comes back from your code; the loss is always computed by the grader.
 */
public final class PoolingTraining {
    private PoolingTraining() {}

    /**
     * @param x            training sequences {@code [N][T][d]} (left unchanged)
     * @param targets      {@code [N][d]}
     * @param initialQuery {@code [d]}, where training starts (left unchanged)
     * @param steps        gradient-descent steps, {@code >= 0}
     * @param learningRate step size, positive
     * @return the trained query {@code [d]}, a new array
     * @throws IllegalArgumentException if the shapes do not fit ({@code targets} not {@code [N][d]},
     *                                  {@code initialQuery} not {@code [d]}), {@code steps < 0} or the learning rate is
     *                                  not a positive number
     */
    public static double[] train(double[][][] x, double[][] targets, double[] initialQuery, int steps,
                                 double learningRate) {
        // BEGIN SOLUTION 8.5
        int n = x.length, t = x[0].length, d = x[0][0].length;
        if (targets.length != n || initialQuery.length != d || targets[0].length != d) {
            throw new IllegalArgumentException("expected x [N][T][d], targets [N][d], initialQuery [d]; got N = " + n
                + ", d = " + d + ", targets [" + targets.length + "][" + targets[0].length + "], initialQuery ["
                + initialQuery.length + "]");
        }
        if (steps < 0 || !(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("steps must be >= 0 and learningRate a positive number, got " + steps
                + " and " + learningRate);
        }
        double[] q = initialQuery.clone();
        double scale = 1 / Math.sqrt(d);
        for (int step = 0; step < steps; step++) {
            double[] dq = new double[d];
            for (int s = 0; s < n; s++) {
                double[] w = new double[t];                                      // softmax of the scores
                double max = Double.NEGATIVE_INFINITY;
                for (int u = 0; u < t; u++) {
                    double score = 0;
                    for (int c = 0; c < d; c++) {
                        score += x[s][u][c] * q[c];
                    }
                    w[u] = score * scale;
                    max = Math.max(max, w[u]);
                }
                double sum = 0;
                for (int u = 0; u < t; u++) {
                    w[u] = Math.exp(w[u] - max);
                    sum += w[u];
                }
                double[] p = new double[d];
                for (int u = 0; u < t; u++) {
                    w[u] /= sum;
                    for (int c = 0; c < d; c++) {
                        p[c] += w[u] * x[s][u][c];
                    }
                }
                double[] dp = new double[d];                                     // ∂loss/∂p
                for (int c = 0; c < d; c++) {
                    dp[c] = 2 * (p[c] - targets[s][c]) / ((double) n * d);
                }
                double[] dw = new double[t];                                     // ∂loss/∂w_t = dp · x_t
                double dot = 0;
                for (int u = 0; u < t; u++) {
                    for (int c = 0; c < d; c++) {
                        dw[u] += dp[c] * x[s][u][c];
                    }
                    dot += dw[u] * w[u];
                }
                for (int u = 0; u < t; u++) {
                    double ds = w[u] * (dw[u] - dot);                            // softmax backward
                    for (int c = 0; c < d; c++) {
                        dq[c] += ds * x[s][u][c] * scale;                        // s_t = x_t · q / sqrt(d)
                    }
                }
            }
            for (int c = 0; c < d; c++) {
                q[c] -= learningRate * dq[c];
            }
        }
        return q;
        // END SOLUTION
    }
}
