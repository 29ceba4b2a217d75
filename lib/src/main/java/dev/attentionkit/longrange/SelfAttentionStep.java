package dev.attentionkit.longrange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head self-attention (non-causal) with its backward pass written out: chapter 04's {@code MultiHeadAttention}
 * in its {@code bidirectional()} form, the same weights (q/k/v without bias, output projection with bias).
 *
 * <pre>
 * forward                                   backward (dY given)
 * Q, K, V = X·W_qᵀ, X·W_kᵀ, X·W_vᵀ  [b·T, d]   dW_o = dYᵀ·O, db_o = Σ dY, dO = dY·W_o
 * per (sequence, head):                     per (sequence, head):
 *   P = softmax(Q_h·K_hᵀ/√hd)   [T, T]         dV_h = Pᵀ·dO_h,  dP = dO_h·V_hᵀ
 *   O_h = P·V_h                 [T, hd]        dS = P ⊙ (dP − rowsum(dP ⊙ P))
 * Y = O·W_oᵀ + b_o              [b·T, d]       dQ_h = dS·K_h/√hd,  dK_h = dSᵀ·Q_h/√hd
 * </pre>
 *
 * The projections are single matrix products; the (sequence, head) tiles are plain Java loops in double
 * precision, sequences in parallel: for the chapter's short sequences ({@code T = 64}, 16 features per head) a
 * tile is a few hundred thousand multiply-adds, less than ND4J takes to dispatch the eight small products
 * {@link dev.attentionkit.efficient.FastTrainableMultiHeadAttention} runs per tile.
 *
 * <p>Two options for chapter 11's stability study, at chapter 08's setting by default: scores without the
 * {@code 1/√hd} ({@link #scaledScores(boolean)}), and inverted dropout on the attention weights while training
 * ({@link #attentionDropout(double, long)}): {@code O_h = (P ⊙ M)·V_h} with {@code M = keep/(1 − p)}, one
 * Bernoulli draw per weight, and in the backward pass {@code dP = M ⊙ (dO_h·V_hᵀ)}, {@code dV_h = (P ⊙ M)ᵀ·dO_h}.
 */
final class SelfAttentionStep {
    private final INDArray wQ, wK, wV, wOut, bOut;   // [d, d] each (PyTorch layout), [d]
    private final int heads;
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray x2;                               // [b·T, d]
    private double[] q, k, v, weights, context;        // [b·T, d] each; weights [b, heads, T, T]
    private int batch, tokens;
    private boolean scaled = true;
    private double dropout;                            // probability of dropping one weight; 0: none
    private Random dropoutRandom;
    private boolean training = true;
    private double[] keep;                             // the last forward pass's M, null without dropout

    SelfAttentionStep(INDArray wQ, INDArray wK, INDArray wV, INDArray wOut, INDArray bOut, int heads) {
        this.wQ = wQ;
        this.wK = wK;
        this.wV = wV;
        this.wOut = wOut;
        this.bOut = bOut;
        this.heads = heads;
    }

    /** Whether scores are divided by {@code √hd} (true, the default) or used as plain dot products. */
    void scaledScores(boolean on) {
        this.scaled = on;
    }

    /**
     * Inverted dropout on the attention weights while {@link #training(boolean) training}.
     *
     * @param p    probability of dropping a weight, {@code 0 <= p < 1} (0: off)
     * @param seed seed of the draws
     */
    void attentionDropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("SelfAttentionStep: attention dropout must be in [0, 1), got " + p);
        }
        this.dropout = p;
        this.dropoutRandom = new Random(seed);
    }

    /** Restarts the dropout draws from {@code seed} (a gradient check needs the same mask in every forward pass). */
    void reseedDropout(long seed) {
        this.dropoutRandom = new Random(seed);
    }

    /** Training (dropout on, the default) or evaluation (dropout off). */
    void training(boolean on) {
        this.training = on;
    }

    /** @param x {@code [b, T, d]} @return {@code [b, T, d]} */
    INDArray forward(INDArray x) {
        batch = Math.toIntExact(x.size(0));
        tokens = Math.toIntExact(x.size(1));
        int d = Math.toIntExact(x.size(2)), hd = d / heads, t = tokens;
        DataType type = wQ.dataType();
        long rows = (long) batch * t;
        x2 = x.dup('c').reshape('c', rows, d);
        q = project(x2, wQ);
        k = project(x2, wK);
        v = project(x2, wV);
        weights = new double[batch * heads * t * t];
        context = new double[batch * t * d];
        double scale = scaled ? 1 / Math.sqrt(hd) : 1;
        keep = null;
        if (training && dropout > 0) {                      // drawn in order, so the mask depends on the seed only
            keep = new double[weights.length];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = dropoutRandom.nextDouble() < dropout ? 0 : 1 / (1 - dropout);
            }
        }
        double[] m = keep;
        IntStream.range(0, batch * heads).parallel().forEach(tile -> {
            int b = tile / heads, h = tile % heads, p0 = tile * t * t;
            for (int i = 0; i < t; i++) {
                int qi = (b * t + i) * d + h * hd, pi = p0 + i * t;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    int kj = (b * t + j) * d + h * hd;
                    double s = 0;
                    for (int c = 0; c < hd; c++) {
                        s += q[qi + c] * k[kj + c];
                    }
                    weights[pi + j] = s * scale;
                    max = Math.max(max, s * scale);
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    double e = Math.exp(weights[pi + j] - max);
                    weights[pi + j] = e;
                    sum += e;
                }
                for (int j = 0; j < t; j++) {
                    double w = weights[pi + j] / sum;
                    weights[pi + j] = w;
                    if (m != null) {
                        w *= m[pi + j];                          // the dropped-out weight multiplies V
                    }
                    int vj = (b * t + j) * d + h * hd;
                    for (int c = 0; c < hd; c++) {
                        context[qi + c] += w * v[vj + c];
                    }
                }
            }
        });
        INDArray o = Nd4j.create(context, new long[] {rows, d}, 'c').castTo(type);
        INDArray y = Nd4j.createUninitialized(type, rows, d);
        Products.timesTransposed(o, wOut, y, 0);
        return y.addiRowVector(bOut).reshape('c', batch, t, d);
    }

    /** @param dY {@code [b, T, d]} @return dX {@code [b, T, d]}; parameter gradients in {@link #gradients()} */
    INDArray backward(INDArray dY) {
        if (weights == null) {
            throw new IllegalStateException("SelfAttentionStep.backward: call forward first");
        }
        int d = Math.toIntExact(wQ.size(0)), hd = d / heads, t = tokens;
        DataType type = wQ.dataType();
        long rows = (long) batch * t;
        INDArray dy = dY.dup('c').reshape('c', rows, d);
        INDArray o = Nd4j.create(context, new long[] {rows, d}, 'c').castTo(type);
        INDArray dWout = Nd4j.createUninitialized(type, d, d);
        Products.transposedTimes(dy, o, dWout, 0);
        INDArray dO2 = Nd4j.createUninitialized(type, rows, d);
        Products.product(dy, wOut, dO2, 0);
        double[] dO = dO2.castTo(DataType.DOUBLE).data().asDouble();
        double[] dQ = new double[q.length], dK = new double[k.length], dV = new double[v.length];
        double scale = scaled ? 1 / Math.sqrt(hd) : 1;
        double[] m = keep;
        // One sequence per task: its heads write disjoint columns of dQ, dK, dV.
        IntStream.range(0, batch).parallel().forEach(b -> {
            double[] dS = new double[t];
            for (int h = 0; h < heads; h++) {
                int p0 = (b * heads + h) * t * t;
                for (int i = 0; i < t; i++) {
                    int oi = (b * t + i) * d + h * hd, pi = p0 + i * t;
                    double dot = 0;
                    for (int j = 0; j < t; j++) {
                        int vj = (b * t + j) * d + h * hd;
                        double dp = 0;
                        double w = weights[pi + j];
                        double mask = m == null ? 1 : m[pi + j];
                        for (int c = 0; c < hd; c++) {
                            dp += dO[oi + c] * v[vj + c];                 // dP = dO·Vᵀ
                            dV[vj + c] += w * mask * dO[oi + c];          // dV = (P ⊙ M)ᵀ·dO
                        }
                        dp *= mask;
                        dS[j] = dp;
                        dot += dp * w;
                    }
                    for (int j = 0; j < t; j++) {
                        double ds = weights[pi + j] * (dS[j] - dot) * scale;   // softmax backward, then the scale
                        int kj = (b * t + j) * d + h * hd;
                        for (int c = 0; c < hd; c++) {
                            dQ[oi + c] += ds * k[kj + c];
                            dK[kj + c] += ds * q[oi + c];
                        }
                    }
                }
            }
        });
        INDArray dX = Nd4j.zeros(type, rows, d);
        gradients.clear();
        gradients.put("query.weight", backProject(dQ, wQ, dX));
        gradients.put("key.weight", backProject(dK, wK, dX));
        gradients.put("value.weight", backProject(dV, wV, dX));
        gradients.put("outProj.weight", dWout);
        gradients.put("outProj.bias", dy.sum(0));
        return dX.reshape('c', batch, t, d);
    }

    /** {@code x·Wᵀ} as doubles, {@code [rows, d]} row-major. */
    private static double[] project(INDArray x2, INDArray w) {
        INDArray out = Nd4j.createUninitialized(w.dataType(), x2.size(0), w.size(0));
        Products.timesTransposed(x2, w, out, 0);
        return out.castTo(DataType.DOUBLE).data().asDouble();
    }

    /** For a projection {@code P = X·Wᵀ} with gradient dP: adds {@code dP·W} to dX, returns {@code dW = dPᵀ·X}. */
    private INDArray backProject(double[] dP, INDArray w, INDArray dX) {
        INDArray g = Nd4j.create(dP, new long[] {x2.size(0), w.size(0)}, 'c').castTo(w.dataType());
        Products.product(g, w, dX, 1);
        INDArray dW = Nd4j.createUninitialized(w.dataType(), w.shape());
        Products.transposedTimes(g, x2, dW, 0);
        return dW;
    }

    /** The attention weights of the last forward pass (before dropout), {@code [b·heads, T, T]}. */
    INDArray lastWeights() {
        return Nd4j.create(weights, new long[] {(long) batch * heads, tokens, tokens}, 'c').castTo(wQ.dataType());
    }

    /** {@code query.weight}, {@code key.weight}, {@code value.weight}, {@code outProj.weight}, {@code outProj.bias}. */
    Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("query.weight", wQ);
        p.put("key.weight", wK);
        p.put("value.weight", wV);
        p.put("outProj.weight", wOut);
        p.put("outProj.bias", bOut);
        return p;
    }

    Map<String, INDArray> gradients() {
        return gradients;
    }
}
