package dev.attentionkit.exercises.ch08;

import dev.attentionkit.attention.TalkingHeadsAttention;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 8.4 delegates the mixing to the kit's TalkingHeadsAttention.mixHeads
public final class TalkingHeads {
    private TalkingHeads() {}

    public static double[][][] mix(double[][][] maps, double[][] mix) {
        int h = maps.length, t = maps[0].length, u = maps[0][0].length;
        double[] flat = new double[h * t * u];
        for (int i = 0; i < h; i++) {
            for (int r = 0; r < t; r++) {
                System.arraycopy(maps[i][r], 0, flat, (i * t + r) * u, u);
            }
        }
        double[] out = TalkingHeadsAttention.mixHeads(Nd4j.create(flat, new long[] {1, h, t, u}, 'c'),
            Nd4j.create(mix)).data().asDouble();
        double[][][] result = new double[h][t][u];
        for (int i = 0; i < h; i++) {
            for (int r = 0; r < t; r++) {
                System.arraycopy(out, (i * t + r) * u, result[i][r], 0, u);
            }
        }
        return result;
    }

    public static double[][][] weights(double[][][] q, double[][][] k, double[][] logitsMix, double[][] weightsMix) {
        int h = q.length, hd = q[0][0].length;
        double[][][] logits = new double[h][q[0].length][k[0].length];
        for (int i = 0; i < h; i++) {
            for (int t = 0; t < q[i].length; t++) {
                for (int u = 0; u < k[i].length; u++) {
                    for (int c = 0; c < hd; c++) {
                        logits[i][t][u] += q[i][t][c] * k[i][u][c] / Math.sqrt(hd);
                    }
                }
            }
        }
        double[][][] a = mix(logits, logitsMix);
        for (double[][] head : a) {
            for (double[] row : head) {
                double max = java.util.Arrays.stream(row).max().orElse(0), sum = 0;
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
    }

    public static double[][][] attend(double[][][] q, double[][][] k, double[][][] v, double[][] logitsMix,
                                      double[][] weightsMix) {
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
    }
}
