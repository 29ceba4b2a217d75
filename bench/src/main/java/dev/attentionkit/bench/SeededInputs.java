package dev.attentionkit.bench;

import java.util.SplittableRandom;

/**
 * The inputs and weights every implementation gets, as plain float arrays (row-major) so the ND4J JVM and
 * the PyTorch JVM build bit-identical tensors from the same seed without sharing a library.
 *
 * @param x    {@code [batch, tokens, dModel]}, uniform in [-1, 1)
 * @param wQkv {@code [3·dModel, dModel]}, PyTorch's layout (queries, keys, values stacked), no bias
 * @param wOut {@code [dModel, dModel]}
 * @param bOut {@code [dModel]}
 */
public record SeededInputs(Workload workload, float[] x, float[] wQkv, float[] wOut, float[] bOut) {

    public static SeededInputs of(Workload w, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double bound = 1 / Math.sqrt(w.dModel());   // nn.Linear's init range: keeps activations O(1)
        return new SeededInputs(w,
            uniform(random, (long) w.batch() * w.tokens() * w.dModel(), 1),
            uniform(random, 3L * w.dModel() * w.dModel(), bound),
            uniform(random, (long) w.dModel() * w.dModel(), bound),
            uniform(random, w.dModel(), bound));
    }

    static float[] uniform(SplittableRandom random, long n, double bound) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }
}
