package dev.attentionkit.exercises.ch08;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.ScaledDotProductAttention;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Check;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("8.5 Training the query of attention pooling")
// What this exercise may not call: the kit's trainers and trainable modules, and automatic differentiation: the
// gradient is written out (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.train.*",
    "dev.attentionkit.longrange.*",
    "dev.attentionkit.seq2seq.*",
    "org.nd4j.autodiff.*",
    "org.nd4j.linalg.learning.*"})
class PoolingTrainingTest {
    private static final int T = 6;
    private static final int D = 4;

    /**
     * Sequences of random tokens where one token per sequence carries a marker (2.5 times a random unit direction,
     * different for every run seed) and is the target: a query along the marker finds it.
     */
    private record Task(double[][][] x, double[][] y) {
        static Task draw(Random random, double[] marker, int n) {
            double[][][] x = new double[n][T][];
            double[][] y = new double[n][];
            for (int s = 0; s < n; s++) {
                for (int t = 0; t < T; t++) {
                    x[s][t] = random.doubles(D, -1, 1).toArray();
                }
                int target = random.nextInt(T);
                for (int c = 0; c < D; c++) {
                    x[s][target][c] += 2.5 * marker[c];
                }
                y[s] = x[s][target].clone();
            }
            return new Task(x, y);
        }
    }

    private static double[] marker(Random random) {
        double[] m = random.doubles(D, -1, 1).toArray();
        double norm = Math.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2] + m[3] * m[3]);
        for (int c = 0; c < D; c++) {
            m[c] /= norm;
        }
        return m;
    }

    /** The loss, in plain loops (double). */
    private static double loss(double[] q, Task task) {
        double sum = 0;
        for (int s = 0; s < task.x.length; s++) {
            double[] scores = new double[T];
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < D; c++) {
                    scores[t] += task.x[s][t][c] * q[c] / Math.sqrt(D);
                }
            }
            double[] w = Loops.softmaxRows(new double[][] {scores})[0];
            for (int c = 0; c < D; c++) {
                double p = 0;
                for (int t = 0; t < T; t++) {
                    p += w[t] * task.x[s][t][c];
                }
                sum += (p - task.y[s][c]) * (p - task.y[s][c]);
            }
        }
        return sum / (task.x.length * D);
    }

    /** Gradient descent with the gradient from central finite differences of {@link #loss}: the reference. */
    private static double[] referenceSteps(double[] q0, Task task, int steps, double lr) {
        double[] q = q0.clone();
        double eps = 1e-6;
        for (int step = 0; step < steps; step++) {
            double[] g = new double[D];
            for (int c = 0; c < D; c++) {
                double[] up = q.clone();
                double[] down = q.clone();
                up[c] += eps;
                down[c] -= eps;
                g[c] = (loss(up, task) - loss(down, task)) / (2 * eps);
            }
            for (int c = 0; c < D; c++) {
                q[c] -= lr * g[c];
            }
        }
        return q;
    }

    /** The loss on held-out sequences, computed by the kit's own attention (ScaledDotProductAttention) in the judge. */
    private static double heldOutLoss(double[] q, Task task) {
        INDArray query = Nd4j.create(new double[][] {q});                            // [1, d]
        double sum = 0;
        for (int s = 0; s < task.x.length; s++) {
            INDArray tokens = Nd4j.create(task.x[s]);                                 // [T, d]
            INDArray pooled = ScaledDotProductAttention.apply(query, tokens, tokens).context();   // [1, d]
            for (int c = 0; c < D; c++) {
                double diff = pooled.getDouble(0, c) - task.y[s][c];
                sum += diff * diff;
            }
        }
        return sum / (task.x.length * D);
    }

    @Test
    @Points(1)
    @Hint(value = "Go backwards through the three lines: the pooled vector, the softmax, the scores. Check the 1/(N·d) and the 1/√d.",
        full = "dp = 2(p − y)/(N·d); dw_t = dp · x_t; ds_t = w_t (dw_t − Σ_u w_u dw_u); dq += ds_t · x_t / √d, summed over every sequence; then q −= learningRate · dq. Bad shapes, steps < 0 or a learning rate <= 0 throw IllegalArgumentException.")
    @DisplayName("one step from a random query is q − lr·∂loss/∂q; zero steps return a copy; bad input is rejected")
    void oneStep() {
        Random random = Seeded.random(851);
        Task task = Task.draw(random, marker(random), 16);
        double[] q0 = random.doubles(D, -1, 1).toArray();
        double[] before = q0.clone();
        double[] got = Check.notNull(PoolingTraining.train(task.x, task.y, q0, 1, 0.7), "train(x, y, q0, 1, 0.7)");
        assertArrayEquals(referenceSteps(q0, task, 1, 0.7), got, 1e-6, "train(x, y, q0, 1 step, lr 0.7)");
        assertArrayEquals(before, q0, 0, "train must not change initialQuery");
        // A query 1000 times longer: scores in the thousands, where exp overflows unless each row's maximum comes off.
        double[] large = java.util.Arrays.stream(q0).map(c -> 1000 * c).toArray();
        assertArrayEquals(referenceSteps(large, task, 1, 0.7), Check.notNull(PoolingTraining.train(task.x, task.y, large, 1,
            0.7), "train(x, y, 1000·q0, 1, 0.7)"), 1e-6, "train from a long query (large scores)");
        double[] none = Check.notNull(PoolingTraining.train(task.x, task.y, q0, 0, 0.7), "train(x, y, q0, 0, 0.7)");
        assertArrayEquals(q0, none, 0, "0 steps: the initial query");
        assertNotSame(q0, none, "0 steps: a new array, not initialQuery itself");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, task.y, new double[D + 1], 1, 0.7),
            "an initial query of d + 1 features");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, new double[3][D], q0, 1, 0.7),
            "3 targets for 16 sequences");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, new double[16][D + 1], q0, 1, 0.7),
            "targets of d + 1 features");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, task.y, q0, -1, 0.7), "steps -1");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, task.y, q0, 1,
            Double.POSITIVE_INFINITY), "learning rate +infinity");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, task.y, q0, 1, 0), "learning rate 0");
        assertThrows(IllegalArgumentException.class, () -> PoolingTraining.train(task.x, task.y, q0, 1, Double.NaN),
            "learning rate NaN");
    }

    @Test
    @Points(2)
    @Hint(value = "Every step uses the gradient at the current query, over the whole training set.",
        full = "Recompute scores, weights and the pooled vectors from the current q at each step (full batch), accumulate dq over all sequences, then update q; repeat steps times.")
    @DisplayName("eight steps follow gradient descent's path (32 sequences, random start, lr 2)")
    void path() {
        Random random = Seeded.random(852);
        Task task = Task.draw(random, marker(random), 32);
        double[] q0 = random.doubles(D, -1, 1).toArray();
        double[] got = Check.notNull(PoolingTraining.train(task.x, task.y, q0, 8, 2.0), "train(x, y, q0, 8, 2.0)");
        assertArrayEquals(referenceSteps(q0, task, 8, 2.0), got, 1e-5, "train(x, y, q0, 8 steps, lr 2.0)");
    }

    @Test
    @Points(2)
    @Hint(value = "Does your loss fall when you print it every 50 steps? Nothing else is needed than correct steps.",
        full = "With correct gradient-descent steps, 400 steps of lr 20 from a query of zeros find the marked token; the grader computes the held-out loss itself from the query you return.")
    @DisplayName("trained from zeros (64 sequences, 400 steps, lr 20), the held-out loss falls below 5% of uniform pooling's")
    void heldOut() {
        Random random = Seeded.random(853);
        double[] marker = marker(random);
        Task train = Task.draw(random, marker, 64);
        Task heldOut = Task.draw(random, marker, 256);                   // never passed to the submission
        double[] q = Check.notNull(PoolingTraining.train(train.x, train.y, new double[D], 400, 20.0),
            "train(x, y, zeros, 400, 20.0)");
        assertEquals(D, q.length, "the trained query's length");
        double uniform = heldOutLoss(new double[D], heldOut);
        double trained = heldOutLoss(q, heldOut);
        assertTrue(trained < 0.05 * uniform, String.format(Locale.ROOT,
            "held-out loss %.4f with your query, %.4f with uniform weights (query 0): it must fall below %.4f",
            trained, uniform, 0.05 * uniform));
    }
}
