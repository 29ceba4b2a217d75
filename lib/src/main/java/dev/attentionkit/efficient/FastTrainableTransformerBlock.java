package dev.attentionkit.efficient;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.transformer.FeedForward;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pre-LN {@link TransformerBlock} with a hand-derived backward pass, on the approach of
 * {@link FastTrainableMultiHeadAttention} (whose forward and backward it runs for the attention): 2-D products
 * by pointer ({@link MatrixView}), row loops for the layer norms, the biases and the ReLU, arrays kept between
 * steps of the same shape.
 *
 * <pre>
 * forward                                    backward (dY given)
 * l1 = LN1(x)                  [b·t, d]      dW2 = dYᵀ·h,  db2 = Σ dY,  dh = dY·W2 ⊙ [h > 0]
 * a  = x + attention(l1)                     dW1 = dhᵀ·l2, db1 = Σ dh,  dl2 = dh·W1
 * l2 = LN2(a)                                da  = LN2'(dl2) + dY
 * h  = relu(l2·W1ᵀ + b1)       [b·t, 4d]     dl1 = attention'(da)
 * y  = a + h·W2ᵀ + b2                        dX  = LN1'(dl1) + da
 * LN(x) = γ ⊙ x̂ + β,  x̂ = (x − μ)/σ per row;  LN'(dl) = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ,  g = dl ⊙ γ
 * </pre>
 *
 * Causal when the block's attention is ({@link MultiHeadAttention#isCausal()}); dropout is not applied (the
 * block trains as if in {@code eval()} mode). Float64 weights give a float64 step (for gradient checks).
 */
public final class FastTrainableTransformerBlock {
    private final INDArray gamma1, beta1, gamma2, beta2;   // [d] each
    private final double eps1, eps2;
    private final FastTrainableMultiHeadAttention attention;
    private final boolean causal;
    private final INDArray w1, b1, w2, b2;                 // fc1 [4d, d], [4d]; fc2 [d, 4d], [d]
    private final int d, hidden;
    private final DataType type;
    private final Activations own = new Activations();
    private final Scratch scratch = new Scratch();
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray input;                                 // the public forward's copy of x

    /** What a forward pass keeps for the backward one. */
    static final class Activations {
        MatrixView x;                  // [b·t, d], the input (the caller's array, not counted)
        MatrixView norm1, l1;          // x̂ and LN1's output [b·t, d]
        double[] inverseStd1;          // 1/σ per row
        final FastTrainableMultiHeadAttention.Activations attention = new FastTrainableMultiHeadAttention.Activations();
        MatrixView norm2, l2;          // [b·t, d]
        double[] inverseStd2;
        MatrixView hidden;             // relu(h) [b·t, 4d]
        int batch, tokens;

        void allocate(DataType type, int batch, int tokens, int d, int hidden) {
            long rows = (long) batch * tokens;
            if (norm1 == null || norm1.base.dataType() != type || norm1.rows != rows || norm1.cols != d || this.hidden.cols != hidden) {
                norm1 = MatrixView.allocate(type, rows, d);
                l1 = MatrixView.allocate(type, rows, d);
                norm2 = MatrixView.allocate(type, rows, d);
                l2 = MatrixView.allocate(type, rows, d);
                this.hidden = MatrixView.allocate(type, rows, hidden);
                inverseStd1 = new double[Math.toIntExact(rows)];
                inverseStd2 = new double[Math.toIntExact(rows)];
            }
            this.batch = batch;
            this.tokens = tokens;
        }

        /** Bytes of the arrays kept from the forward pass for the backward one (the input not counted). */
        long bytes() {
            if (norm1 == null) {
                return 0;
            }
            return norm1.bytes() + l1.bytes() + norm2.bytes() + l2.bytes() + hidden.bytes()
                + 8L * (inverseStd1.length + inverseStd2.length) + attention.bytes();
        }
    }

    /** The backward pass's temporaries; one can serve every block of a stack. */
    static final class Scratch {
        MatrixView dHidden;            // [b·t, 4d]
        MatrixView dl, da;             // [b·t, d]
        final FastTrainableMultiHeadAttention.Scratch attention = new FastTrainableMultiHeadAttention.Scratch();

        void allocate(DataType type, long rows, int d, int hidden) {
            if (dl == null || dl.base.dataType() != type || dl.rows != rows || dl.cols != d || dHidden.cols != hidden) {
                dHidden = MatrixView.allocate(type, rows, hidden);
                dl = MatrixView.allocate(type, rows, d);
                da = MatrixView.allocate(type, rows, d);
            }
        }

        long bytes() {
            return (dl == null ? 0 : dHidden.bytes() + dl.bytes() + da.bytes()) + attention.bytes();
        }
    }

    private FastTrainableTransformerBlock(TransformerBlock plain) {
        if (!(plain.attention() instanceof MultiHeadAttention mha)) {
            throw new IllegalArgumentException("FastTrainableTransformerBlock: the block's attention must be a MultiHeadAttention, got "
                + plain.attention().getClass().getSimpleName());
        }
        FeedForward ffn = plain.ffn();
        if (ffn.fc1().bias().isEmpty() || ffn.fc2().bias().isEmpty()) {
            throw new IllegalArgumentException("FastTrainableTransformerBlock: the feed-forward layers need biases");
        }
        this.attention = FastTrainableMultiHeadAttention.from(mha);
        this.causal = mha.isCausal();
        this.type = attention.dataType();
        this.d = attention.d();
        this.hidden = Math.toIntExact(ffn.hidden());
        LayerNorm ln1 = plain.ln1(), ln2 = plain.ln2();
        this.gamma1 = copy(ln1.gamma(), "ln1.weight");
        this.beta1 = copy(ln1.beta(), "ln1.bias");
        this.gamma2 = copy(ln2.gamma(), "ln2.weight");
        this.beta2 = copy(ln2.beta(), "ln2.bias");
        this.eps1 = ln1.eps();
        this.eps2 = ln2.eps();
        this.w1 = copy(ffn.fc1().weight(), "ffn.fc1.weight");
        this.b1 = copy(ffn.fc1().bias().orElseThrow(), "ffn.fc1.bias");
        this.w2 = copy(ffn.fc2().weight(), "ffn.fc2.weight");
        this.b2 = copy(ffn.fc2().bias().orElseThrow(), "ffn.fc2.bias");
    }

    /**
     * Copies of {@code plain}'s weights, in their data type (all parts must share it): attention a
     * {@link MultiHeadAttention} with q/k/v without bias and a biased output projection, feed-forward layers with biases.
     */
    public static FastTrainableTransformerBlock from(TransformerBlock plain) {
        return new FastTrainableTransformerBlock(plain);
    }

    /**
     * @param x {@code [batch, tokens, d]}, the weights' data type
     * @return {@code [batch, tokens, d]}
     */
    public INDArray forward(INDArray x) {
        requireInput(x, "x");
        int batch = Math.toIntExact(x.size(0)), tokens = Math.toIntExact(x.size(1));
        long rows = (long) batch * tokens;
        if (input == null || input.dataType() != type || input.size(0) != rows) {
            input = Nd4j.createUninitialized(type, rows, d);
        }
        input.assign(x.reshape('c', rows, d));
        INDArray y = Nd4j.createUninitialized(type, rows, d);
        forward(MatrixView.of(input), batch, tokens, own, MatrixView.of(y));
        return y.reshape('c', batch, tokens, d);
    }

    /**
     * Back-propagates {@code dY} through the last {@link #forward}; the parameter gradients are then in
     * {@link #gradients()} (new arrays each call).
     *
     * @param dY {@code [batch, tokens, d]}
     * @return dX {@code [batch, tokens, d]}
     */
    public INDArray backward(INDArray dY) {
        if (own.x == null) {
            throw new IllegalStateException("FastTrainableTransformerBlock.backward: call forward first");
        }
        if (dY.rank() != 3 || dY.size(0) != own.batch || dY.size(1) != own.tokens || dY.size(2) != d) {
            throw new IllegalArgumentException("FastTrainableTransformerBlock.backward: dY must be [" + own.batch + ", " + own.tokens
                + ", " + d + "] like the forward output, got " + Shapes.describe(dY));
        }
        requireType(dY, "dY");
        long rows = (long) own.batch * own.tokens;
        INDArray dy = dY.dup('c').reshape('c', rows, d);
        INDArray dX = Nd4j.createUninitialized(type, rows, d);
        backward(MatrixView.of(dy), own, scratch, MatrixView.of(dX), gradients);
        return dX.reshape('c', own.batch, own.tokens, d);
    }

    /** The forward pass on rows {@code [batch·tokens, d]}: y overwritten, x kept by reference in {@code acts}. */
    void forward(MatrixView x, int batch, int tokens, Activations acts, MatrixView y) {
        acts.allocate(type, batch, tokens, d, hidden);
        acts.x = x;
        layerNorm(x, null, gamma1, beta1, eps1, acts.norm1, acts.l1, acts.inverseStd1, null, null);
        attention.forward(acts.l1, batch, tokens, causal, acts.attention, y);                  // y = attention(l1)
        layerNorm(y, x, gamma2, beta2, eps2, acts.norm2, acts.l2, acts.inverseStd2, y, b2);    // y = a + b2, l2 = LN2(a)
        MatrixView.gemm(1, acts.l2, false, MatrixView.of(w1), true, 0, acts.hidden);
        biasRelu(acts.hidden, b1);                                                              // h = relu(l2·W1ᵀ + b1)
        MatrixView.gemm(1, acts.hidden, false, MatrixView.of(w2), true, 1, y);                  // y = a + b2 + h·W2ᵀ
    }

    /** The backward pass on rows: dx overwritten, new gradient arrays in {@code grads}. */
    void backward(MatrixView dy, Activations acts, Scratch s, MatrixView dx, Map<String, INDArray> grads) {
        long rows = (long) acts.batch * acts.tokens;
        s.allocate(type, rows, d, hidden);
        INDArray dW2 = Nd4j.createUninitialized(type, d, hidden), dW1 = Nd4j.createUninitialized(type, hidden, d);
        MatrixView.gemm(1, dy, true, acts.hidden, false, 0, MatrixView.of(dW2));               // [d, 4d]
        INDArray db2 = RowLoops.columnSums(dy);
        MatrixView.gemm(1, dy, false, MatrixView.of(w2), false, 0, s.dHidden);                 // [b·t, 4d]
        INDArray db1 = reluBackward(s.dHidden, acts.hidden);                                    // dh ⊙ [h > 0], Σ dh
        MatrixView.gemm(1, s.dHidden, true, acts.l2, false, 0, MatrixView.of(dW1));            // [4d, d]
        MatrixView.gemm(1, s.dHidden, false, MatrixView.of(w1), false, 0, s.dl);               // dl2 [b·t, d]
        INDArray[] ln2 = layerNormBackward(s.dl, dy, gamma2, acts.norm2, acts.inverseStd2, s.da);   // da = LN2'(dl2) + dy
        Map<String, INDArray> attentionGrads = new LinkedHashMap<>();
        attention.backward(s.da, acts.attention, s.attention, s.dl, attentionGrads);           // dl1
        INDArray[] ln1 = layerNormBackward(s.dl, s.da, gamma1, acts.norm1, acts.inverseStd1, dx);   // dx = LN1'(dl1) + da
        grads.clear();
        grads.put("ln1.weight", ln1[0]);
        grads.put("ln1.bias", ln1[1]);
        attentionGrads.forEach((k, v) -> grads.put("attention." + k, v));
        grads.put("ln2.weight", ln2[0]);
        grads.put("ln2.bias", ln2[1]);
        grads.put("ffn.fc1.weight", dW1);
        grads.put("ffn.fc1.bias", db1);
        grads.put("ffn.fc2.weight", dW2);
        grads.put("ffn.fc2.bias", db2);
    }

    /**
     * The gradients of the last {@link #backward}, named like {@link dev.attentionkit.train.TrainableTransformerBlock}'s
     * variables without the block's prefix: {@code ln1.weight}, {@code ln1.bias}, {@code attention.W_query.weight} ...
     * {@code attention.out_proj.bias}, {@code ln2.weight}, {@code ln2.bias}, {@code ffn.fc1.weight}, {@code ffn.fc1.bias},
     * {@code ffn.fc2.weight}, {@code ffn.fc2.bias}.
     */
    public Map<String, INDArray> gradients() {
        return Collections.unmodifiableMap(gradients);
    }

    /** The parameters by the same names as {@link #gradients()} (the stored arrays or views of them: updating them trains the block). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("ln1.weight", gamma1);
        p.put("ln1.bias", beta1);
        attention.parameters().forEach((k, v) -> p.put("attention." + k, v));
        p.put("ln2.weight", gamma2);
        p.put("ln2.bias", beta2);
        p.put("ffn.fc1.weight", w1);
        p.put("ffn.fc1.bias", b1);
        p.put("ffn.fc2.weight", w2);
        p.put("ffn.fc2.bias", b2);
        return p;
    }

    /** Whether the attention is causal. */
    public boolean causal() {
        return causal;
    }

    public long d() {
        return d;
    }

    DataType dataType() {
        return type;
    }

    void requireInput(INDArray x, String name) {
        Shapes.requireRank(x, "FastTrainableTransformerBlock input " + name, "[batch, tokens, d]", 3);
        Shapes.requireSequence(x, "FastTrainableTransformerBlock input " + name, d, "[batch, tokens, d]");
        requireType(x, name);
    }

    private void requireType(INDArray a, String name) {
        if (a.dataType() != type) {
            throw new IllegalArgumentException("FastTrainableTransformerBlock: " + name + " is " + a.dataType() + ", the weights are " + type);
        }
    }

    private INDArray copy(INDArray w, String name) {
        if (w.dataType() != type) {
            throw new IllegalArgumentException("FastTrainableTransformerBlock: " + name + " is " + w.dataType() + ", the attention's weights "
                + type + "; give every part the same data type");
        }
        return w.dup('c');
    }

    /**
     * Layer norm of the rows of {@code in} (plus {@code residual} when given: the norm of {@code in + residual}):
     * {@code norm = x̂}, {@code out = γ ⊙ x̂ + β}, {@code inverseStd = 1/σ}; with {@code sum} given, also
     * {@code sum = in + residual + sumBias} (may be {@code in} itself).
     */
    private static void layerNorm(MatrixView in, MatrixView residual, INDArray gamma, INDArray beta, double eps, MatrixView norm,
                                  MatrixView out, double[] inverseStd, MatrixView sum, INDArray sumBias) {
        int cols = in.cols;
        double[] g = gamma.toDoubleVector(), b = beta.toDoubleVector(), sb = sumBias == null ? null : sumBias.toDoubleVector();
        RowLoops.run(in.rows, in.base.dataType(), (block, from, to) -> {
            RowLoops.Staged inRows = new RowLoops.Staged(in), normRows = new RowLoops.Staged(norm), outRows = new RowLoops.Staged(out);
            RowLoops.Staged resRows = residual == null ? null : new RowLoops.Staged(residual);
            RowLoops.Staged sumRows = sum == null ? null : new RowLoops.Staged(sum);
            double[] row = new double[cols], other = new double[cols], o = new double[cols];
            for (int r = from; r < to; r++) {
                inRows.get(r, row);
                if (resRows != null) {
                    resRows.get(r, other);
                    for (int c = 0; c < cols; c++) {
                        row[c] += other[c];
                    }
                }
                if (sumRows != null) {
                    for (int c = 0; c < cols; c++) {
                        o[c] = row[c] + sb[c];
                    }
                    sumRows.put(r, o);
                }
                double mean = 0;
                for (int c = 0; c < cols; c++) {
                    mean += row[c];
                }
                mean /= cols;
                double variance = 0;
                for (int c = 0; c < cols; c++) {
                    row[c] -= mean;
                    variance += row[c] * row[c];
                }
                double inv = 1 / Math.sqrt(variance / cols + eps);                // biased variance, as PyTorch
                inverseStd[r] = inv;
                for (int c = 0; c < cols; c++) {
                    row[c] *= inv;
                    o[c] = g[c] * row[c] + b[c];
                }
                normRows.put(r, row);
                outRows.put(r, o);
            }
        });
    }

    /**
     * Layer norm's backward: {@code dx = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂))/σ + residual}, {@code g = dl ⊙ γ}, into
     * {@code dx}; returns {dγ = Σ dl ⊙ x̂, dβ = Σ dl}.
     */
    private static INDArray[] layerNormBackward(MatrixView dl, MatrixView residual, INDArray gamma, MatrixView norm,
                                                double[] inverseStd, MatrixView dx) {
        int cols = dl.cols, blocks = RowLoops.blocks(dl.rows);
        double[] g = gamma.toDoubleVector();
        double[][] dGamma = new double[blocks][cols], dBeta = new double[blocks][cols];
        RowLoops.run(dl.rows, dl.base.dataType(), (block, from, to) -> {
            RowLoops.Staged dlRows = new RowLoops.Staged(dl), normRows = new RowLoops.Staged(norm), resRows = new RowLoops.Staged(residual),
                dxRows = new RowLoops.Staged(dx);
            double[] d = new double[cols], xh = new double[cols], res = new double[cols];
            double[] dg = dGamma[block], db = dBeta[block];
            for (int r = from; r < to; r++) {
                dlRows.get(r, d);
                normRows.get(r, xh);
                resRows.get(r, res);
                double mean = 0, meanDot = 0;
                for (int c = 0; c < cols; c++) {
                    dg[c] += d[c] * xh[c];
                    db[c] += d[c];
                    d[c] *= g[c];
                    mean += d[c];
                    meanDot += d[c] * xh[c];
                }
                mean /= cols;
                meanDot /= cols;
                double inv = inverseStd[r];
                for (int c = 0; c < cols; c++) {
                    res[c] += (d[c] - mean - xh[c] * meanDot) * inv;
                }
                dxRows.put(r, res);
            }
        });
        DataType type = dl.base.dataType();
        return new INDArray[] {RowLoops.sum(dGamma, type), RowLoops.sum(dBeta, type)};
    }

    /** {@code h = relu(h + bias)} row by row, in place. */
    private static void biasRelu(MatrixView h, INDArray bias) {
        int cols = h.cols;
        if (h.isFloat()) {                       // the widest array of the step ([b·t, 4d]): float loops the JIT vectorises
            float[] bf = bias.toFloatVector();
            RowLoops.run(h.rows, DataType.FLOAT, (block, from, to) -> {
                java.nio.FloatBuffer buf = h.floats();
                float[] row = new float[cols];
                for (int r = from; r < to; r++) {
                    buf.get(h.at(r), row, 0, cols);
                    for (int c = 0; c < cols; c++) {
                        row[c] = Math.max(0f, row[c] + bf[c]);
                    }
                    buf.put(h.at(r), row, 0, cols);
                }
            });
            return;
        }
        double[] b = bias.toDoubleVector();
        RowLoops.run(h.rows, h.base.dataType(), (block, from, to) -> {
            RowLoops.Staged rows = new RowLoops.Staged(h);
            double[] row = new double[cols];
            for (int r = from; r < to; r++) {
                rows.get(r, row);
                for (int c = 0; c < cols; c++) {
                    row[c] = Math.max(0, row[c] + b[c]);
                }
                rows.put(r, row);
            }
        });
    }

    /** {@code dh = dh ⊙ [h > 0]} in place; returns {@code Σ_rows dh}, fc1's bias gradient. */
    private static INDArray reluBackward(MatrixView dh, MatrixView h) {
        int cols = dh.cols, blocks = RowLoops.blocks(dh.rows);
        double[][] partial = new double[blocks][cols];
        if (dh.isFloat()) {
            RowLoops.run(dh.rows, DataType.FLOAT, (block, from, to) -> {
                java.nio.FloatBuffer db = dh.floats(), hb = h.floats();
                float[] d = new float[cols], hr = new float[cols], acc = new float[cols];
                for (int r = from; r < to; r++) {
                    db.get(dh.at(r), d, 0, cols);
                    hb.get(h.at(r), hr, 0, cols);
                    for (int c = 0; c < cols; c++) {
                        d[c] = hr[c] > 0f ? d[c] : 0f;
                        acc[c] += d[c];          // over one block of 128 rows in float, the blocks added in double
                    }
                    db.put(dh.at(r), d, 0, cols);
                }
                for (int c = 0; c < cols; c++) {
                    partial[block][c] = acc[c];
                }
            });
            return RowLoops.sum(partial, DataType.FLOAT);
        }
        RowLoops.run(dh.rows, dh.base.dataType(), (block, from, to) -> {
            RowLoops.Staged dRows = new RowLoops.Staged(dh), hRows = new RowLoops.Staged(h);
            double[] d = new double[cols], hr = new double[cols], acc = partial[block];
            for (int r = from; r < to; r++) {
                dRows.get(r, d);
                hRows.get(r, hr);
                for (int c = 0; c < cols; c++) {
                    d[c] = hr[c] > 0 ? d[c] : 0;
                    acc[c] += d[c];
                }
                dRows.put(r, d);
            }
        });
        return RowLoops.sum(partial, dh.base.dataType());
    }
}
