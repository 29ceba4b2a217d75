package dev.attentionkit.exercises.ch08;

// WRONG ON PURPOSE (grader fixture): 8.5 checks its input and returns the initial query without training it
public final class PoolingTraining {
    private PoolingTraining() {}

    public static double[] train(double[][][] x, double[][] targets, double[] initialQuery, int steps,
                                 double learningRate) {
        if (targets.length != x.length || initialQuery.length != x[0][0].length || targets[0].length != x[0][0].length
            || steps < 0 || !(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("bad input");
        }
        return initialQuery.clone();
    }
}
