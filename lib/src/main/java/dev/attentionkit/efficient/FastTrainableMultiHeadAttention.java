package dev.attentionkit.efficient;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.tensor.Shapes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head self-attention with a hand-derived backward pass: the training step that SameDiff's graph of
 * {@link dev.attentionkit.train.TrainableMultiHeadAttention} computes, in 2-D matrix products on views
 * and no permutes. Same weights and results as the plain {@link MultiHeadAttention} in {@code eval()} mode
 * (q/k/v without bias, output projection with bias).
 *
 * <pre>
 * forward                                   backward (dY given)
 * QKV = X · [Wq; Wk; Wv]ᵀ     [b·t, 3d]    dWo = dYᵀ · O,  dbo = Σ_rows dY,  dO = dY · Wo
 * per (sequence, head):                     per (sequence, head):
 *   S = Q·Kᵀ/√hd (+ causal -∞) [t, t]        dV = Pᵀ · dO
 *   P = softmax(S)                            dP = dO · Vᵀ
 *   O_h = P · V               [t, hd]         dS = P ⊙ (dP − rowsum(dP ⊙ P))
 * Y = O · Woᵀ + bo            [b·t, d]        dQ = dS · K/√hd,  dK = dSᵀ · Q/√hd
 *                                           dW_qkv = dQKVᵀ · X,  dX = dQKV · W_qkv
 * </pre>
 *
 * The (sequence, head) tiles run on all cores ({@link ParallelTiles}); the weights P of every tile are kept
 * from the forward pass for the backward one ({@code b·h·t²} values). The arrays keep the weights' data type,
 * so float64 weights give a float64 step (for gradient checks).
 */
public final class FastTrainableMultiHeadAttention {
    private final INDArray wQkv;   // [3d, d]: queries, keys, values stacked (PyTorch layout)
    private final INDArray wOut;   // [d, d]
    private final INDArray bOut;   // [d]
    private final int heads;
    private final long d;
    private final long hd;

    // what the forward pass keeps for the backward one
    private INDArray x2;           // [b·t, d]
    private INDArray qkv;          // [b·t, 3d]
    private INDArray weights;      // [b·h, t, t]
    private INDArray context;      // [b·t, d]
    private INDArray dO;           // [b·t, d]   backward
    private INDArray dQkv;         // [b·t, 3d]  backward
    // Every tile's views of the arrays above, made once per shape: ND4J's views cost more to create than the
    // small products on them take. Index: tile = sequence·heads + head.
    private INDArray[] qView, kView, vView, oView, pView, dOView, dQView, dKView, dVView;
    private long batch;
    private long tokens;
    private boolean causal;
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();

    private FastTrainableMultiHeadAttention(INDArray wQkv, INDArray wOut, INDArray bOut, int heads) {
        this.wQkv = wQkv;
        this.wOut = wOut;
        this.bOut = bOut;
        this.heads = heads;
        this.d = wOut.size(0);
        this.hd = d / heads;
    }

    /** Copies of {@code plain}'s weights; {@code plain} must have no q/k/v bias and a biased output projection. */
    public static FastTrainableMultiHeadAttention from(MultiHeadAttention plain) {
        if (plain.query().bias().isPresent() || plain.key().bias().isPresent() || plain.value().bias().isPresent()) {
            throw new IllegalArgumentException("FastTrainableMultiHeadAttention takes q/k/v projections without bias");
        }
        if (plain.dIn() != plain.dOut()) {
            throw new IllegalArgumentException("FastTrainableMultiHeadAttention wants dIn = dOut, got " + plain.dIn() + " and " + plain.dOut());
        }
        INDArray bias = plain.outProj().bias().map(INDArray::dup)
            .orElseGet(() -> Nd4j.zeros(plain.outProj().weight().dataType(), plain.dOut()));
        return new FastTrainableMultiHeadAttention(
            Nd4j.concat(0, plain.query().weight(), plain.key().weight(), plain.value().weight()).dup('c'),
            plain.outProj().weight().dup('c'), bias.dup('c'), plain.numHeads());
    }

    /**
     * @param x      {@code [batch, tokens, d]}, the weights' data type
     * @param causal whether token i attends to tokens 0..i only
     * @return {@code [batch, tokens, d]}
     */
    public INDArray forward(INDArray x, boolean causal) {
        Shapes.requireRank(x, "FastTrainableMultiHeadAttention input x", "[batch, tokens, d]", 3);
        Shapes.requireSequence(x, "FastTrainableMultiHeadAttention input x", d, "[batch, tokens, d]");
        if (x.dataType() != wOut.dataType()) {
            throw new IllegalArgumentException("FastTrainableMultiHeadAttention: x is " + x.dataType() + ", the weights are "
                + wOut.dataType());
        }
        this.batch = x.size(0);
        this.tokens = x.size(1);
        this.causal = causal;
        long rows = batch * tokens;
        DataType type = x.dataType();
        x2 = x.dup('c').reshape('c', rows, d);
        allocate(type);
        Gemm.timesTransposed(x2, wQkv, qkv, 1.0);                                         // [b·t, 3d]
        double scale = 1 / Math.sqrt(hd);
        ParallelTiles.run((int) (batch * heads), type, 1, (tile, scratch) -> {
            INDArray p = pView[tile];                                                     // [t, t]
            Gemm.timesTransposed(qView[tile], kView[tile], p, scale);
            FusedSoftmax.softmaxInPlace(p, 0, 0, causal);                                 // masked by position
            Gemm.product(p, vView[tile], oView[tile], 1.0, 0.0);                          // [t, hd]
        });
        INDArray y = Nd4j.createUninitialized(type, rows, d);
        Gemm.timesTransposed(context, wOut, y, 1.0);
        y.addiRowVector(bOut);
        return y.reshape('c', batch, tokens, d);
    }

    /**
     * Back-propagates {@code dY} through the last {@link #forward}; the parameter gradients are then in
     * {@link #gradients()} (overwritten, not accumulated).
     *
     * @param dY {@code [batch, tokens, d]}: the loss's gradient with respect to the output
     * @return the gradient with respect to the input x, {@code [batch, tokens, d]}
     */
    public INDArray backward(INDArray dY) {
        if (qkv == null) {
            throw new IllegalStateException("FastTrainableMultiHeadAttention.backward: call forward first");
        }
        if (dY.rank() != 3 || dY.size(0) != batch || dY.size(1) != tokens || dY.size(2) != d) {
            throw new IllegalArgumentException("FastTrainableMultiHeadAttention.backward: dY must be [" + batch + ", " + tokens + ", "
                + d + "] like the forward output, got " + Shapes.describe(dY));
        }
        long rows = batch * tokens;
        DataType type = qkv.dataType();
        INDArray dy = dY.dup('c').reshape('c', rows, d);
        INDArray dWout = Nd4j.createUninitialized(type, d, d);
        Gemm.transposedTimes(dy, context, dWout);                                        // [d, d]
        INDArray dbOut = dy.sum(0);
        Gemm.product(dy, wOut, dO, 1.0, 0.0);                                              // [b·t, d]
        double scale = 1 / Math.sqrt(hd);
        ParallelTiles.run((int) (batch * heads), type, tokens * tokens, (tile, scratch) -> {
            INDArray p = pView[tile];                                                     // [t, t]
            INDArray dOh = dOView[tile];                                                  // [t, hd]
            Gemm.transposedTimes(p, dOh, dVView[tile]);                                   // dV = Pᵀ·dO
            INDArray dS = ParallelTiles.matrix(scratch, tokens, tokens);
            Gemm.timesTransposed(dOh, vView[tile], dS, 1.0);                              // dP = dO·Vᵀ
            softmaxBackwardInPlace(dS, p);                                                // dS = P ⊙ (dP − rowdot)
            Gemm.product(dS, kView[tile], dQView[tile], scale, 0.0);                      // dQ = dS·K/√hd
            Gemm.transposedTimes(dS, qView[tile], dKView[tile]);                          // dK = dSᵀ·Q (scaled below)
        });
        dQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d)).muli(scale);
        INDArray dWqkv = Nd4j.createUninitialized(type, 3 * d, d);
        Gemm.transposedTimes(dQkv, x2, dWqkv);                                             // [3d, d]
        INDArray dX = Nd4j.createUninitialized(type, rows, d);
        Gemm.product(dQkv, wQkv, dX, 1.0, 0.0);                                            // [b·t, d]
        gradients.clear();
        gradients.put("W_query.weight", dWqkv.get(NDArrayIndex.interval(0, d), NDArrayIndex.all()).dup('c'));
        gradients.put("W_key.weight", dWqkv.get(NDArrayIndex.interval(d, 2 * d), NDArrayIndex.all()).dup('c'));
        gradients.put("W_value.weight", dWqkv.get(NDArrayIndex.interval(2 * d, 3 * d), NDArrayIndex.all()).dup('c'));
        gradients.put("out_proj.weight", dWout);
        gradients.put("out_proj.bias", dbOut);
        return dX.reshape('c', batch, tokens, d);
    }

    /**
     * The gradients of the last {@link #backward}, by the plain module's state_dict names: {@code W_query.weight},
     * {@code W_key.weight}, {@code W_value.weight} ({@code [d, d]} each), {@code out_proj.weight} {@code [d, d]},
     * {@code out_proj.bias} {@code [d]}.
     */
    public Map<String, INDArray> gradients() {
        return java.util.Collections.unmodifiableMap(gradients);
    }

    /** The parameters by the same names as {@link #gradients()} (views of the stored weights: updating them trains the module). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("W_query.weight", wQkv.get(NDArrayIndex.interval(0, d), NDArrayIndex.all()));
        p.put("W_key.weight", wQkv.get(NDArrayIndex.interval(d, 2 * d), NDArrayIndex.all()));
        p.put("W_value.weight", wQkv.get(NDArrayIndex.interval(2 * d, 3 * d), NDArrayIndex.all()));
        p.put("out_proj.weight", wOut);
        p.put("out_proj.bias", bOut);
        return p;
    }

    /** Whether the last forward pass was causal. */
    public boolean causal() {
        return causal;
    }

    /** (Re)allocates the intermediate arrays and their tile views when the shape or type changes. */
    private void allocate(DataType type) {
        long rows = batch * tokens;
        if (qkv != null && qkv.dataType() == type && qkv.size(0) == rows && weights.size(1) == tokens) {
            return;
        }
        qkv = Nd4j.createUninitialized(type, rows, 3 * d);
        weights = Nd4j.createUninitialized(type, batch * heads, tokens, tokens);
        context = Nd4j.createUninitialized(type, rows, d);
        dO = Nd4j.createUninitialized(type, rows, d);
        dQkv = Nd4j.createUninitialized(type, rows, 3 * d);
        int tiles = (int) (batch * heads);
        qView = new INDArray[tiles]; kView = new INDArray[tiles]; vView = new INDArray[tiles]; oView = new INDArray[tiles];
        pView = new INDArray[tiles]; dOView = new INDArray[tiles]; dQView = new INDArray[tiles]; dKView = new INDArray[tiles];
        dVView = new INDArray[tiles];
        for (int tile = 0; tile < tiles; tile++) {
            long b = tile / heads, h = tile % heads;
            qView[tile] = part(qkv, b, h, 0);
            kView[tile] = part(qkv, b, h, 1);
            vView[tile] = part(qkv, b, h, 2);
            oView[tile] = part(context, b, h, -1);
            pView[tile] = weights.get(NDArrayIndex.point(tile), NDArrayIndex.all(), NDArrayIndex.all());
            dOView[tile] = part(dO, b, h, -1);
            dQView[tile] = part(dQkv, b, h, 0);
            dKView[tile] = part(dQkv, b, h, 1);
            dVView[tile] = part(dQkv, b, h, 2);
        }
    }

    /** Sequence b's rows of head h's columns of part (0 = q, 1 = k, 2 = v of the fused array; -1 = a [b·t, d] array). */
    private INDArray part(INDArray m, long b, long h, int which) {
        long col = (which < 0 ? 0 : which * d) + h * hd;
        return m.get(NDArrayIndex.interval(b * tokens, (b + 1) * tokens), NDArrayIndex.interval(col, col + hd));
    }

    /**
     * Softmax's backward on one tile, in place: {@code dS[r, c] = P[r, c]·(dP[r, c] − Σ_c' dP[r, c']·P[r, c'])}.
     * Plain Java loops over rows staged in arrays: for a 256 × 256 tile, ND4J's element-wise ops cost more
     * in dispatch (and in threads of their own beside the tiles') than the arithmetic. Both tiles are
     * contiguous {@code [t, t]} matrices.
     */
    static void softmaxBackwardInPlace(INDArray dP, INDArray p) {
        int rows = Math.toIntExact(p.size(0)), cols = Math.toIntExact(p.size(1));
        long dOff = dP.offset(), pOff = p.offset();
        if (p.dataType() == DataType.FLOAT) {
            java.nio.FloatBuffer db = dP.data().asNioFloat(), pb = p.data().asNioFloat();
            float[] dRow = new float[cols], pRow = new float[cols];
            for (int r = 0; r < rows; r++) {
                int di = Math.toIntExact(dOff + (long) r * cols), pi = Math.toIntExact(pOff + (long) r * cols);
                db.get(di, dRow, 0, cols);
                pb.get(pi, pRow, 0, cols);
                double dot = 0;
                for (int c = 0; c < cols; c++) {
                    dot += dRow[c] * pRow[c];
                }
                float fdot = (float) dot;
                for (int c = 0; c < cols; c++) {
                    dRow[c] = pRow[c] * (dRow[c] - fdot);
                }
                db.put(di, dRow, 0, cols);
            }
        } else {
            java.nio.DoubleBuffer db = dP.data().asNioDouble(), pb = p.data().asNioDouble();
            double[] dRow = new double[cols], pRow = new double[cols];
            for (int r = 0; r < rows; r++) {
                int di = Math.toIntExact(dOff + (long) r * cols), pi = Math.toIntExact(pOff + (long) r * cols);
                db.get(di, dRow, 0, cols);
                pb.get(pi, pRow, 0, cols);
                double dot = 0;
                for (int c = 0; c < cols; c++) {
                    dot += dRow[c] * pRow[c];
                }
                for (int c = 0; c < cols; c++) {
                    dRow[c] = pRow[c] * (dRow[c] - dot);
                }
                db.put(di, dRow, 0, cols);
            }
        }
    }
}
