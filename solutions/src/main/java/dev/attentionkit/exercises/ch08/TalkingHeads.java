package dev.attentionkit.exercises.ch08;

/**
 * Exercise 8.4 — the attention step of talking-heads attention (Shazeer et al. 2020), for one sequence: the heads mix
 * their logits before the softmax and their weights after it, through two {@code [heads, heads]} matrices.
 *
 * <pre>
 * s_i[t][u] = q_i[t] · k_i[u] / sqrt(hd)          head i's logits, as in multi-head attention
 * l_j       = Σ_i s_i · logitsMix[i][j]           heads mix their logits
 * a_j       = softmax of each row of l_j          over the keys u
 * w_j       = Σ_i a_i · weightsMix[i][j]          heads mix their weights
 * c_j       = w_j · v_j                           [T][hd]
 * </pre>
 *
 * Entry {@code [i][j]} of a mixing matrix is how much head i gives to head j. With both matrices the identity the
 * heads are independent again: this is then plain multi-head attention, head by head. No mask, no dropout. Write the
 * loops yourself: the library's {@code TalkingHeadsAttention} is the chapter's version.
 */
public final class TalkingHeads {
    private TalkingHeads() {}

    /**
     * Every head's map replaced by a weighted sum of all heads' maps: {@code out[j] = Σ_i maps[i] · mix[i][j]}.
     *
     * @param maps {@code [heads][queries][keys]} (left unchanged)
     * @param mix  {@code [heads][heads]}
     * @return {@code [heads][queries][keys]}, a new array
     * @throws IllegalArgumentException if {@code mix} is not {@code [heads][heads]} for the heads of {@code maps}
     */
    public static double[][][] mix(double[][][] maps, double[][] mix) {
        // BEGIN SOLUTION 8.4
        int h = maps.length;
        if (mix.length != h) {
            throw new IllegalArgumentException("mix must be [heads][heads] = [" + h + "][" + h + "], got " + mix.length
                + " rows");
        }
        for (double[] row : mix) {
            if (row.length != h) {
                throw new IllegalArgumentException("mix must be [heads][heads] = [" + h + "][" + h + "], got a row of "
                    + row.length);
            }
        }
        double[][][] out = new double[h][][];
        for (int j = 0; j < h; j++) {
            out[j] = new double[maps[0].length][maps[0][0].length];
            for (int i = 0; i < h; i++) {
                for (int t = 0; t < maps[i].length; t++) {
                    for (int u = 0; u < maps[i][t].length; u++) {
                        out[j][t][u] += maps[i][t][u] * mix[i][j];
                    }
                }
            }
        }
        return out;
        // END SOLUTION
    }

    /**
     * The mixed weights {@code w} of every head.
     *
     * @param q          {@code [heads][queries][hd]}
     * @param k          {@code [heads][keys][hd]}
     * @param logitsMix  {@code [heads][heads]}, mixes the logits (before the softmax)
     * @param weightsMix {@code [heads][heads]}, mixes the weights (after it)
     * @return {@code [heads][queries][keys]}
     * @throws IllegalArgumentException if a mixing matrix is not {@code [heads][heads]}
     */
    public static double[][][] weights(double[][][] q, double[][][] k, double[][] logitsMix, double[][] weightsMix) {
        // BEGIN SOLUTION 8.4
        int h = q.length, hd = q[0][0].length;
        double[][][] logits = new double[h][q[0].length][k[0].length];
        for (int i = 0; i < h; i++) {
            for (int t = 0; t < q[i].length; t++) {
                for (int u = 0; u < k[i].length; u++) {
                    double s = 0;
                    for (int c = 0; c < hd; c++) {
                        s += q[i][t][c] * k[i][u][c];
                    }
                    logits[i][t][u] = s / Math.sqrt(hd);
                }
            }
        }
        double[][][] a = mix(logits, logitsMix);
        for (double[][] head : a) {
            for (double[] row : head) {
                double max = Double.NEGATIVE_INFINITY;
                for (double x : row) {
                    max = Math.max(max, x);
                }
                double sum = 0;
                for (int u = 0; u < row.length; u++) {
                    row[u] = Math.exp(row[u] - max);
                    sum += row[u];
                }
                for (int u = 0; u < row.length; u++) {
                    row[u] /= sum;
                }
            }
        }
        return mix(a, weightsMix);
        // END SOLUTION
    }

    /**
     * The context vectors of every head, {@code c_j = w_j · v_j}.
     *
     * @param q          {@code [heads][queries][hd]}
     * @param k          {@code [heads][keys][hd]}
     * @param v          {@code [heads][keys][hd]}
     * @param logitsMix  {@code [heads][heads]}
     * @param weightsMix {@code [heads][heads]}
     * @return {@code [heads][queries][hd]}
     */
    public static double[][][] attend(double[][][] q, double[][][] k, double[][][] v, double[][] logitsMix,
                                      double[][] weightsMix) {
        // BEGIN SOLUTION 8.4
        double[][][] w = weights(q, k, logitsMix, weightsMix);
        double[][][] c = new double[w.length][w[0].length][v[0][0].length];
        for (int j = 0; j < w.length; j++) {
            for (int t = 0; t < w[j].length; t++) {
                for (int u = 0; u < w[j][t].length; u++) {
                    for (int e = 0; e < v[j][u].length; e++) {
                        c[j][t][e] += w[j][t][u] * v[j][u][e];
                    }
                }
            }
        }
        return c;
        // END SOLUTION
    }
}
