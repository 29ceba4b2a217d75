package dev.attentionkit.efficient;

/** {@link FusedSoftmax}'s row loops in plain Java: used where the Vector API module is not enabled. */
final class ScalarRows implements FusedSoftmax.FloatRows {
    @Override
    public float max(float[] row, int from, int to) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = from; c < to; c++) {
            max = Math.max(max, row[c]);
        }
        return max;
    }

    @Override
    public double expMinus(float[] row, int from, int to, float shift) {
        double sum = 0;
        for (int c = from; c < to; c++) {
            row[c] = (float) Math.exp(row[c] - shift);
            sum += row[c];
        }
        return sum;
    }

    @Override
    public void scale(float[] row, int from, int to, float factor) {
        for (int c = from; c < to; c++) {
            row[c] *= factor;
        }
    }

    @Override
    public double dot(float[] a, float[] b, int from, int to) {
        double sum = 0;
        for (int c = from; c < to; c++) {
            sum += a[c] * b[c];
        }
        return sum;
    }

    @Override
    public void softmaxGrad(float[] dp, float[] p, int from, int to, float dot) {
        for (int c = from; c < to; c++) {
            dp[c] = p[c] * (dp[c] - dot);
        }
    }
}
