package dev.attentionkit.testkit;

/**
 * The plain-loop references the tests compare the library and the exercises with: every formula written out as
 * loops over doubles, from the textbook definition, sharing no code with the library and calling no ND4J operation.
 * One method per mechanism; the convenience forms below it only choose its arguments.
 *
 * <p>Shapes are those of one sequence: {@code q [queries][d]}, {@code k [keys][d]}, {@code v [keys][dV]}; weights
 * in PyTorch's {@code nn.Linear} layout {@code [out][in]} where a method says so, {@code [in][out]} (the book's
 * {@code x @ W_query}) otherwise.
 */
public final class Loops {
    private Loops() {}

    /** Which keys a query may see: {@code keep(query, key)}. */
    @FunctionalInterface
    public interface Keep {
        boolean test(int query, int key);

        /** Every key, for every query. */
        Keep ALL = (i, j) -> true;
        /** Keys up to the query's own position (the causal mask). */
        Keep CAUSAL = (i, j) -> j <= i;

        /** The entries of {@code keep [queries][keys]} that are true ({@code null}: {@link #ALL}). */
        static Keep of(boolean[][] keep) {
            return keep == null ? ALL : (i, j) -> keep[i][j];
        }
    }

    /**
     * The context vectors and the weights of attention over one sequence.
     *
     * @param context {@code [queries][dV]}
     * @param weights {@code [queries][keys]}, each row summing to 1 (0 for a query that may see no key)
     */
    public record Attended(double[][] context, double[][] weights) {}

    /**
     * Attention, the one reference: {@code weights = softmax(q kᵀ · scale)} over the keys {@code keep} allows
     * (0 for the others; a query allowed no key gets all zeros), {@code context = weights · v}.
     */
    public static Attended attend(double[][] q, double[][] k, double[][] v, Keep keep, double scale) {
        double[][] weights = weights(q, k, keep, scale);
        double[][] context = new double[q.length][v[0].length];
        for (int i = 0; i < q.length; i++) {
            for (int j = 0; j < k.length; j++) {
                for (int d = 0; d < v[j].length; d++) {
                    context[i][d] += weights[i][j] * v[j][d];
                }
            }
        }
        return new Attended(context, weights);
    }

    /** The weights of {@link #attend}: {@code softmax(q kᵀ · scale)} over the keys {@code keep} allows, {@code [queries][keys]}. */
    public static double[][] weights(double[][] q, double[][] k, Keep keep, double scale) {
        double[][] weights = new double[q.length][];
        for (int i = 0; i < q.length; i++) {
            double[] scores = new double[k.length];
            boolean[] visible = new boolean[k.length];
            for (int j = 0; j < k.length; j++) {
                scores[j] = dot(q[i], k[j]) * scale;
                visible[j] = keep.test(i, j);
            }
            weights[i] = maskedSoftmax(scores, visible);
        }
        return weights;
    }

    /** {@code softmax(q kᵀ / sqrt(d))} over the keys {@code keep} allows: the weights of scaled dot-product attention. */
    public static double[][] weights(double[][] q, double[][] k, Keep keep) {
        return weights(q, k, keep, 1 / Math.sqrt(q[0].length));
    }

    /** {@code softmax(q kᵀ / sqrt(d)) v}: the context of scaled dot-product attention over every key. */
    public static double[][] attention(double[][] q, double[][] k, double[][] v) {
        return attend(q, k, v, Keep.ALL, 1 / Math.sqrt(q[0].length)).context();
    }

    /** {@code softmax(q kᵀ / sqrt(d) + mask) v}, the keys {@code keep} allows. */
    public static double[][] attention(double[][] q, double[][] k, double[][] v, Keep keep) {
        return attend(q, k, v, keep, 1 / Math.sqrt(q[0].length)).context();
    }

    /**
     * Multi-head attention, as {@link #attend} per head: head {@code h} reads columns {@code h·hd .. (h+1)·hd − 1}
     * of the projected {@code q [queries][heads·hd]}, {@code k} and {@code v [keys][heads·hd]}, scaled by
     * {@code 1/sqrt(hd)}; the heads' contexts side by side, before any output projection.
     *
     * @param context {@code [queries][heads·hd]}
     * @param weights {@code [heads][queries][keys]}
     */
    public record MultiHead(double[][] context, double[][][] weights) {}

    /** {@link MultiHead multi-head attention} of projected queries, keys and values, the keys {@code keep} allows. */
    public static MultiHead multiHead(double[][] q, double[][] k, double[][] v, int heads, Keep keep) {
        if (q[0].length % heads != 0 || k[0].length != q[0].length || v[0].length % heads != 0) {
            throw new IllegalArgumentException("multiHead: widths " + q[0].length + ", " + k[0].length + ", "
                + v[0].length + " do not split into " + heads + " heads");
        }
        int hd = q[0].length / heads;
        int hv = v[0].length / heads;
        double[][] context = new double[q.length][heads * hv];
        double[][][] weights = new double[heads][][];
        for (int h = 0; h < heads; h++) {
            Attended head = attend(columns(q, h * hd, (h + 1) * hd), columns(k, h * hd, (h + 1) * hd),
                columns(v, h * hv, (h + 1) * hv), keep, 1 / Math.sqrt(hd));
            for (int i = 0; i < q.length; i++) {
                System.arraycopy(head.context()[i], 0, context[i], h * hv, hv);
            }
            weights[h] = head.weights();
        }
        return new MultiHead(context, weights);
    }

    /**
     * Bahdanau's additive score of one query and one key: {@code Σ_i v_i · tanh((W_q q)_i + (W_k k)_i)}, with
     * {@code W_q [h][dQ]} and {@code W_k [h][dK]} in PyTorch's {@code [out][in]} layout.
     */
    public static double additiveScore(double[] q, double[] k, double[][] wQ, double[][] wK, double[] v) {
        double[] a = linear(q, wQ, null);
        double[] c = linear(k, wK, null);
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[i] * Math.tanh(a[i] + c[i]);
        }
        return s;
    }

    /** {@link #additiveScore} of one query against every key: {@code [keys]}. */
    public static double[] additiveScores(double[] q, double[][] keys, double[][] wQ, double[][] wK, double[] v) {
        double[] out = new double[keys.length];
        for (int j = 0; j < keys.length; j++) {
            out[j] = additiveScore(q, keys[j], wQ, wK, v);
        }
        return out;
    }

    /**
     * Layer normalisation of one vector: {@code (x − mean) / sqrt(var + eps) · gamma + beta}, with the biased
     * variance (divided by d, as PyTorch's {@code nn.LayerNorm}).
     */
    public static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps) {
        int d = x.length;
        double mean = 0;
        for (double v : x) {
            mean += v / d;
        }
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean) / d;
        }
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + eps) * gamma[i] + beta[i];
        }
        return y;
    }

    /** {@link #layerNorm(double[], double[], double[], double)} of every row. */
    public static double[][] layerNorm(double[][] x, double[] gamma, double[] beta, double eps) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            y[r] = layerNorm(x[r], gamma, beta, eps);
        }
        return y;
    }

    /** {@code softmax(Q Kᵀ / sqrt(dK)) V} with {@code Q = X Wq}, {@code K = X Wk}, {@code V = X Wv} ({@code W [dIn][dOut]}). */
    public static double[][] selfAttention(double[][] x, double[][] wq, double[][] wk, double[][] wv) {
        return attention(matmul(x, wq), matmul(x, wk), matmul(x, wv), Keep.ALL);
    }

    /** {@link #selfAttention} with the causal mask: one head of the book's {@code CausalAttention}, no dropout. */
    public static double[][] causalSelfAttention(double[][] x, double[][] wq, double[][] wk, double[][] wv) {
        return attention(matmul(x, wq), matmul(x, wk), matmul(x, wv), Keep.CAUSAL);
    }

    /** {@code (X Wq)(X Wk)ᵀ / sqrt(dK)} ({@code W [dIn][dOut]}): the scaled scores, before any softmax. */
    public static double[][] scaledScores(double[][] x, double[][] wq, double[][] wk) {
        double[][] q = matmul(x, wq);
        double[][] k = matmul(x, wk);
        double scale = Math.sqrt(k[0].length);
        double[][] scores = new double[q.length][k.length];
        for (int i = 0; i < q.length; i++) {
            for (int j = 0; j < k.length; j++) {
                scores[i][j] = dot(q[i], k[j]) / scale;
            }
        }
        return scores;
    }

    /**
     * Softmax of one row over the entries {@code keep} marks ({@code null}: all of them), the row's maximum
     * subtracted first; the other entries get 0, and a row with no kept entry is all zeros.
     */
    public static double[] maskedSoftmax(double[] scores, boolean[] keep) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < scores.length; j++) {
            if (keep == null || keep[j]) {
                max = Math.max(max, scores[j]);
            }
        }
        double[] w = new double[scores.length];
        double sum = 0;
        for (int j = 0; j < scores.length; j++) {
            if (keep == null || keep[j]) {
                w[j] = Math.exp(scores[j] - max);
                sum += w[j];
            }
        }
        for (int j = 0; j < w.length; j++) {
            w[j] = sum == 0 ? 0 : w[j] / sum;
        }
        return w;
    }

    /** Softmax of one row. */
    public static double[] softmax(double[] row) {
        return maskedSoftmax(row, null);
    }

    /** Softmax of each row. */
    public static double[][] softmaxRows(double[][] scores) {
        return maskedSoftmaxRows(scores, Keep.ALL);
    }

    /** Causal softmax of each row: row i over its entries {@code 0..i}, 0 after i (the future). */
    public static double[][] causalSoftmaxRows(double[][] scores) {
        return maskedSoftmaxRows(scores, Keep.CAUSAL);
    }

    /** Softmax of each row over its first {@code validLength} entries, 0 for the rest ({@code 0}: all zeros). */
    public static double[][] validLengthSoftmaxRows(double[][] scores, int validLength) {
        return maskedSoftmaxRows(scores, (i, j) -> j < validLength);
    }

    /** Softmax of each row {@code i} over the entries {@code j} that {@code keep(i, j)} allows (see {@link #maskedSoftmax}). */
    public static double[][] maskedSoftmaxRows(double[][] scores, Keep keep) {
        double[][] w = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            boolean[] visible = new boolean[scores[i].length];
            for (int j = 0; j < visible.length; j++) {
                visible[j] = keep.test(i, j);
            }
            w[i] = maskedSoftmax(scores[i], visible);
        }
        return w;
    }

    /** {@code x · wᵀ + b} for one vector, {@code w [out][in]} (PyTorch's {@code F.linear}); {@code b} may be null. */
    public static double[] linear(double[] x, double[][] w, double[] b) {
        double[] y = new double[w.length];
        for (int o = 0; o < w.length; o++) {
            y[o] = dot(w[o], x) + (b == null ? 0 : b[o]);
        }
        return y;
    }

    /** {@link #linear(double[], double[][], double[])} of every row of {@code x}. */
    public static double[][] linear(double[][] x, double[][] w, double[] b) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            y[t] = linear(x[t], w, b);
        }
        return y;
    }

    public static double dot(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dot: lengths " + a.length + " and " + b.length + " differ");
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** {@code a [n][m] · b [m][p]}. */
    public static double[][] matmul(double[][] a, double[][] b) {
        if (a[0].length != b.length) {
            throw new IllegalArgumentException("matmul: [" + a.length + ", " + a[0].length + "] times ["
                + b.length + ", " + b[0].length + "]");
        }
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int k = 0; k < b.length; k++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** Columns {@code from..to-1} of every row (one head's slice of {@code [tokens][heads · headDim]}). */
    public static double[][] columns(double[][] x, int from, int to) {
        double[][] out = new double[x.length][to - from];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], from, out[i], 0, to - from);
        }
        return out;
    }

    /** The entries of a matrix in row-major order. */
    public static double[] flatten(double[][] a) {
        return concat(a);
    }

    /** The vectors one after the other ({@code torch.cat} of 1-D tensors). */
    public static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] r : parts) {
            n += r.length;
        }
        double[] out = new double[n];
        int at = 0;
        for (double[] r : parts) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }

    /** The entries of a rank-3 array {@code [a][b][c]} in row-major order. */
    public static double[] flatten(double[][][] a) {
        double[][] rows = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            rows[i] = flatten(a[i]);
        }
        return flatten(rows);
    }
}
