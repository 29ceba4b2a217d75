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
    private final INDArray logitsMix, weightsMix;      // [heads, heads] each, or null: independent heads
    private final INDArray gateLogits;                 // [heads], or null: no gates
    private final double gatePenalty;
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray x2;                               // [b·T, d]
    private double[] q, k, v, weights, context;        // [b·T, d] each; weights [b, heads, T, T]
    private double[] scores, probabilities;            // talking heads: [b, heads, T, T], before the mixes
    private double[] ungated, gates;                   // gates: the context before them [b·T, d], g_h [heads]
    private int batch, tokens;
    private boolean scaled = true;
    private double dropout;                            // probability of dropping one weight; 0: none
    private Random dropoutRandom;
    private boolean training = true;
    private double[] keep;                             // the last forward pass's M, null without dropout

    SelfAttentionStep(INDArray wQ, INDArray wK, INDArray wV, INDArray wOut, INDArray bOut, int heads) {
        this(wQ, wK, wV, wOut, bOut, heads, HeadInteraction.NONE);
    }

    /**
     * The same with the heads interacting: talking heads add {@code logitsMix} and {@code weightsMix}
     * ({@code [heads, heads]}, starting at the identity), gates add {@code gates} ({@code [heads]} gate logits α,
     * {@code g = sigmoid(α)}).
     *
     * <pre>
     * talking heads, per sequence                 backward (dW_j = dO_j·V_jᵀ given)
     *   S_i = Q_i·K_iᵀ/√hd                           dA_i = Σ_j dW_j·Pw[i, j],  dPw[i, j] = Σ A_i ⊙ dW_j
     *   A_j = softmax(Σ_i S_i·Pl[i, j])              dL_j = A_j ⊙ (dA_j − rowsum(dA_j ⊙ A_j))
     *   W_j = Σ_i A_i·Pw[i, j],  O_j = W_j·V_j       dS_i = Σ_j dL_j·Pl[i, j],  dPl[i, j] = Σ S_i ⊙ dL_j
     * gates: O_h ← g_h·O_h                          dα_h = g_h(1 − g_h)·(Σ O_h ⊙ dO_h + penalty),  dO_h ← g_h·dO_h
     * </pre>
     */
    SelfAttentionStep(INDArray wQ, INDArray wK, INDArray wV, INDArray wOut, INDArray bOut, int heads,
                      HeadInteraction interaction) {
        this.wQ = wQ;
        this.wK = wK;
        this.wV = wV;
        this.wOut = wOut;
        this.bOut = bOut;
        this.heads = heads;
        DataType type = wQ.dataType();
        this.logitsMix = interaction.talkingHeads() ? Nd4j.eye(heads).castTo(type).dup('c') : null;
        this.weightsMix = interaction.talkingHeads() ? Nd4j.eye(heads).castTo(type).dup('c') : null;
        this.gateLogits = interaction.gates()
            ? Nd4j.zeros(type, heads).addi(HeadInteraction.INITIAL_GATE_LOGIT) : null;
        this.gatePenalty = interaction.gatePenalty();
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
        if (p > 0 && logitsMix != null) {
            throw new IllegalArgumentException("SelfAttentionStep: attention dropout is written for independent heads "
                + "(with or without gates), not for talking heads");
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
        if (logitsMix != null) {
            talkingForward(d, hd, scale);
        } else {
            independentForward(d, hd, scale);
        }
        if (gateLogits != null) {
            gate(d, hd);
        }
        INDArray o = Nd4j.create(context, new long[] {rows, d}, 'c').castTo(type);
        INDArray y = Nd4j.createUninitialized(type, rows, d);
        Products.timesTransposed(o, wOut, y, 0);
        return y.addiRowVector(bOut).reshape('c', batch, t, d);
    }

    /** Chapter 08's heads: one (sequence, head) tile per task. */
    private void independentForward(int d, int hd, double scale) {
        int t = tokens;
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
    }

    /** Talking heads: the heads of a sequence depend on each other, so one sequence per task. */
    private void talkingForward(int d, int hd, double scale) {
        int t = tokens, tt = t * t;
        double[] pl = logitsMix.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] pw = weightsMix.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        scores = new double[weights.length];
        probabilities = new double[weights.length];
        IntStream.range(0, batch).parallel().forEach(b -> {
            int s0 = b * heads * tt;
            for (int h = 0; h < heads; h++) {                                  // S_h = Q_h·K_hᵀ/√hd
                for (int i = 0; i < t; i++) {
                    int qi = (b * t + i) * d + h * hd;
                    for (int j = 0; j < t; j++) {
                        int kj = (b * t + j) * d + h * hd;
                        double s = 0;
                        for (int c = 0; c < hd; c++) {
                            s += q[qi + c] * k[kj + c];
                        }
                        scores[s0 + h * tt + i * t + j] = s * scale;
                    }
                }
            }
            double[] row = new double[t];
            for (int hj = 0; hj < heads; hj++) {                               // A_j = softmax(Σ_i S_i·Pl[i, j])
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < t; j++) {
                        double l = 0;
                        for (int hi = 0; hi < heads; hi++) {
                            l += scores[s0 + hi * tt + i * t + j] * pl[hi * heads + hj];
                        }
                        row[j] = l;
                        max = Math.max(max, l);
                    }
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        row[j] = Math.exp(row[j] - max);
                        sum += row[j];
                    }
                    int a0 = s0 + hj * tt + i * t;
                    for (int j = 0; j < t; j++) {
                        probabilities[a0 + j] = row[j] / sum;
                    }
                }
            }
            for (int hj = 0; hj < heads; hj++) {                               // W_j = Σ_i A_i·Pw[i, j]; O_j = W_j·V_j
                for (int i = 0; i < t; i++) {
                    int oi = (b * t + i) * d + hj * hd, w0 = s0 + hj * tt + i * t;
                    for (int j = 0; j < t; j++) {
                        double w = 0;
                        for (int hi = 0; hi < heads; hi++) {
                            w += probabilities[s0 + hi * tt + i * t + j] * pw[hi * heads + hj];
                        }
                        weights[w0 + j] = w;
                        int vj = (b * t + j) * d + hj * hd;
                        for (int c = 0; c < hd; c++) {
                            context[oi + c] += w * v[vj + c];
                        }
                    }
                }
            }
        });
    }

    /** {@code O_h ← g_h·O_h}; keeps the ungated context for the backward pass. */
    private void gate(int d, int hd) {
        ungated = context.clone();
        gates = new double[heads];
        double[] alpha = gateLogits.castTo(DataType.DOUBLE).data().asDouble();
        for (int h = 0; h < heads; h++) {
            gates[h] = 1 / (1 + Math.exp(-alpha[h]));
        }
        for (int r = 0; r < context.length / d; r++) {
            for (int c = 0; c < d; c++) {
                context[r * d + c] *= gates[c / hd];
            }
        }
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
        gradients.clear();
        INDArray dGates = gateLogits == null ? null : ungate(dO, d, hd);
        INDArray[] dMix = logitsMix == null ? null : talkingBackward(dO, dQ, dK, dV, d, hd, scale);
        if (logitsMix == null) {
            independentBackward(dO, dQ, dK, dV, d, hd, scale);
        }
        INDArray dX = Nd4j.zeros(type, rows, d);
        gradients.put("query.weight", backProject(dQ, wQ, dX));
        gradients.put("key.weight", backProject(dK, wK, dX));
        gradients.put("value.weight", backProject(dV, wV, dX));
        gradients.put("outProj.weight", dWout);
        gradients.put("outProj.bias", dy.sum(0));
        if (dMix != null) {
            gradients.put("logitsMix", dMix[0]);
            gradients.put("weightsMix", dMix[1]);
        }
        if (dGates != null) {
            gradients.put("gates", dGates);
        }
        return dX.reshape('c', batch, t, d);
    }

    /** Gates' backward: {@code dα_h}, with the penalty's share; {@code dO} becomes the gradient of the ungated context. */
    private INDArray ungate(double[] dO, int d, int hd) {
        double[] dAlpha = new double[heads];
        for (int r = 0; r < dO.length / d; r++) {
            for (int c = 0; c < d; c++) {
                dAlpha[c / hd] += ungated[r * d + c] * dO[r * d + c];
                dO[r * d + c] *= gates[c / hd];
            }
        }
        for (int h = 0; h < heads; h++) {
            dAlpha[h] = (dAlpha[h] + gatePenalty) * gates[h] * (1 - gates[h]);
        }
        return Nd4j.createFromArray(dAlpha).castTo(wQ.dataType());
    }

    /** Talking heads' backward, one sequence per task; returns {@code [dLogitsMix, dWeightsMix]}. */
    private INDArray[] talkingBackward(double[] dO, double[] dQ, double[] dK, double[] dV, int d, int hd,
                                       double scale) {
        int t = tokens, tt = t * t, hh = heads * heads;
        double[] pl = logitsMix.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] pw = weightsMix.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] dPl = new double[batch * hh], dPw = new double[batch * hh];      // one slice per sequence
        IntStream.range(0, batch).parallel().forEach(b -> {
            int s0 = b * heads * tt;
            double[] dW = new double[heads * tt], dA = new double[heads * tt];
            for (int hj = 0; hj < heads; hj++) {                               // dW_j = dO_j·V_jᵀ, dV_j = W_jᵀ·dO_j
                for (int i = 0; i < t; i++) {
                    int oi = (b * t + i) * d + hj * hd;
                    for (int j = 0; j < t; j++) {
                        int vj = (b * t + j) * d + hj * hd;
                        double w = weights[s0 + hj * tt + i * t + j], dw = 0;
                        for (int c = 0; c < hd; c++) {
                            dw += dO[oi + c] * v[vj + c];
                            dV[vj + c] += w * dO[oi + c];
                        }
                        dW[hj * tt + i * t + j] = dw;
                    }
                }
            }
            for (int hi = 0; hi < heads; hi++) {                               // dA_i = Σ_j dW_j·Pw[i, j]
                for (int hj = 0; hj < heads; hj++) {
                    double p = pw[hi * heads + hj], g = 0;
                    for (int n = 0; n < tt; n++) {
                        double a = probabilities[s0 + hi * tt + n], dw = dW[hj * tt + n];
                        dA[hi * tt + n] += dw * p;
                        g += a * dw;
                    }
                    dPw[b * hh + hi * heads + hj] = g;
                }
            }
            double[] dL = dW;                                                  // dW is not needed any more
            for (int h = 0; h < heads; h++) {                                  // softmax backward per row
                for (int i = 0; i < t; i++) {
                    int r0 = h * tt + i * t;
                    double dot = 0;
                    for (int j = 0; j < t; j++) {
                        dot += dA[r0 + j] * probabilities[s0 + r0 + j];
                    }
                    for (int j = 0; j < t; j++) {
                        dL[r0 + j] = probabilities[s0 + r0 + j] * (dA[r0 + j] - dot);
                    }
                }
            }
            double[] dS = dA;                                                  // dA is not needed any more
            java.util.Arrays.fill(dS, 0);
            for (int hi = 0; hi < heads; hi++) {                               // dS_i = Σ_j dL_j·Pl[i, j]
                for (int hj = 0; hj < heads; hj++) {
                    double p = pl[hi * heads + hj], g = 0;
                    for (int n = 0; n < tt; n++) {
                        double dl = dL[hj * tt + n];
                        dS[hi * tt + n] += dl * p;
                        g += scores[s0 + hi * tt + n] * dl;
                    }
                    dPl[b * hh + hi * heads + hj] = g;
                }
            }
            for (int h = 0; h < heads; h++) {                                  // dQ_h, dK_h from S_h = Q_h·K_hᵀ/√hd
                for (int i = 0; i < t; i++) {
                    int qi = (b * t + i) * d + h * hd;
                    for (int j = 0; j < t; j++) {
                        double ds = dS[h * tt + i * t + j] * scale;
                        int kj = (b * t + j) * d + h * hd;
                        for (int c = 0; c < hd; c++) {
                            dQ[qi + c] += ds * k[kj + c];
                            dK[kj + c] += ds * q[qi + c];
                        }
                    }
                }
            }
        });
        double[] gl = new double[hh], gw = new double[hh];
        for (int b = 0; b < batch; b++) {
            for (int n = 0; n < hh; n++) {
                gl[n] += dPl[b * hh + n];
                gw[n] += dPw[b * hh + n];
            }
        }
        DataType type = wQ.dataType();
        return new INDArray[] {Nd4j.create(gl, new long[] {heads, heads}, 'c').castTo(type),
            Nd4j.create(gw, new long[] {heads, heads}, 'c').castTo(type)};
    }

    /** Chapter 08's heads' backward, one sequence per task: its heads write disjoint columns of dQ, dK, dV. */
    private void independentBackward(double[] dO, double[] dQ, double[] dK, double[] dV, int d, int hd,
                                     double scale) {
        int t = tokens;
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
        if (logitsMix != null) {
            p.put("logitsMix", logitsMix);
            p.put("weightsMix", weightsMix);
        }
        if (gateLogits != null) {
            p.put("gates", gateLogits);
        }
        return p;
    }

    /** The gates {@code sigmoid(α_h)}, {@code [heads]}, or null without gates. */
    double[] gateValues() {
        if (gateLogits == null) {
            return null;
        }
        double[] alpha = gateLogits.castTo(DataType.DOUBLE).data().asDouble();
        return java.util.Arrays.stream(alpha).map(a -> 1 / (1 + Math.exp(-a))).toArray();
    }

    /** The gates' L1 penalty {@code gatePenalty · Σ_h g_h} (0 without gates). */
    double penalty() {
        double[] g = gateValues();
        return g == null ? 0 : gatePenalty * java.util.Arrays.stream(g).sum();
    }

    /** {@code [logitsMix, weightsMix]}, the live {@code [heads, heads]} arrays, or null for independent heads. */
    INDArray[] mixes() {
        return logitsMix == null ? null : new INDArray[] {logitsMix, weightsMix};
    }

    Map<String, INDArray> gradients() {
        return gradients;
    }
}
