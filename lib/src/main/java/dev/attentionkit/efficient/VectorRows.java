package dev.attentionkit.efficient;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FusedSoftmax}'s row loops with the JDK's Vector API: 8 or 16 floats per instruction, and an
 * {@code exp} that the JIT compiles to the CPU's vector math routines (many times the throughput of
 * {@code Math.exp}, within 1 ulp: figure in bench/README.md, "Measurements the code's comments rely on"). Loaded only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (as {@code ./kit} and the Maven build start it); otherwise
 * {@link ScalarRows} does the same work.
 */
final class VectorRows implements FusedSoftmax.FloatRows {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    @Override
    public float max(float[] row, int from, int to) {
        int c = from;
        float max = Float.NEGATIVE_INFINITY;
        if (to - from >= LANES) {
            FloatVector m = FloatVector.fromArray(SPECIES, row, c);
            for (c += LANES; c <= to - LANES; c += LANES) {
                m = m.max(FloatVector.fromArray(SPECIES, row, c));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; c < to; c++) {
            max = Math.max(max, row[c]);
        }
        return max;
    }

    @Override
    public double expMinus(float[] row, int from, int to, float shift) {
        int c = from;
        double sum = 0;
        if (to - from >= LANES) {
            FloatVector s = FloatVector.zero(SPECIES);
            for (; c <= to - LANES; c += LANES) {
                FloatVector e = FloatVector.fromArray(SPECIES, row, c).sub(shift).lanewise(VectorOperators.EXP);
                e.intoArray(row, c);
                s = s.add(e);
            }
            sum = s.reduceLanes(VectorOperators.ADD);
        }
        for (; c < to; c++) {
            row[c] = (float) Math.exp(row[c] - shift);
            sum += row[c];
        }
        return sum;
    }

    @Override
    public void scale(float[] row, int from, int to, float factor) {
        int c = from;
        for (; c <= to - LANES; c += LANES) {
            FloatVector.fromArray(SPECIES, row, c).mul(factor).intoArray(row, c);
        }
        for (; c < to; c++) {
            row[c] *= factor;
        }
    }

    @Override
    public double dot(float[] a, float[] b, int from, int to) {
        int c = from;
        double sum = 0;
        if (to - from >= LANES) {
            FloatVector s = FloatVector.zero(SPECIES);
            for (; c <= to - LANES; c += LANES) {
                s = FloatVector.fromArray(SPECIES, a, c).fma(FloatVector.fromArray(SPECIES, b, c), s);
            }
            sum = s.reduceLanes(VectorOperators.ADD);
        }
        for (; c < to; c++) {
            sum += a[c] * b[c];
        }
        return sum;
    }

    @Override
    public void softmaxGrad(float[] dp, float[] p, int from, int to, float dot) {
        int c = from;
        for (; c <= to - LANES; c += LANES) {
            FloatVector.fromArray(SPECIES, dp, c).sub(dot).mul(FloatVector.fromArray(SPECIES, p, c)).intoArray(dp, c);
        }
        for (; c < to; c++) {
            dp[c] = p[c] * (dp[c] - dot);
        }
    }
}
