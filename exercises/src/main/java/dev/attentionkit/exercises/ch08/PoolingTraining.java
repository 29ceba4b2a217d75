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
        // TODO Exercise 8.5: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 8.5 is not done yet");
    }
}
