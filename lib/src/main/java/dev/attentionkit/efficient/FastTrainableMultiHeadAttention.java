package dev.attentionkit.efficient;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.tensor.Shapes;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head self-attention with a hand-derived backward pass: the training step that SameDiff's graph of
 * {@link dev.attentionkit.train.TrainableMultiHeadAttention} computes, in 2-D matrix products on blocks of the
 * arrays and no permutes. Same weights and results as the plain {@link MultiHeadAttention} in {@code eval()} mode
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
 * <p>What makes it fast (measured in {@code ./kit bench}, row {@code kit-fast-mha-step}):
 * <ul>
 *   <li>Causal tiles are cut into blocks of {@value #QUERY_BLOCK} queries, and each block multiplies only with the
 *       keys it may see: the products above the diagonal block are never computed, in the forward pass or the
 *       backward one ({@code dV} and {@code dK} of a block of keys read only the queries at or after it).</li>
 *   <li>The products are single calls of the BLAS ND4J runs on, on blocks addressed by pointer
 *       ({@link MatrixView}): no ND4J view or op object per product.</li>
 *   <li>The softmax, the mask (by position) and the softmax's backward are fused row loops on the Vector API
 *       ({@link FusedSoftmax#rows()}).</li>
 *   <li>The (sequence, head) tiles run on all cores ({@link ParallelTiles}); the intermediate arrays are kept
 *       between steps of the same shape.</li>
 *   <li>The projections too run on the Java pool, in fixed pieces of rows, each a single-threaded BLAS call
 *       ({@link MatrixView#gemmOnAllCores}): the whole step keeps BLAS on one thread per core, sets the count
 *       without ND4J's costly {@code setMaxThreads}, and gives the same floats on any number of cores.</li>
 *   <li>No ND4J op runs inside a step (the input's copy is a {@code memcpy}, {@code dY} is read in place): after
 *       each of its ops, ND4J's OpenMP runtime keeps a thread spinning on a core for milliseconds, which the
 *       tiles would have to share.</li>
 * </ul>
 * The weights P of every tile are kept from the forward pass for the backward one ({@code b·h·t²} values). The
 * arrays keep the weights' data type, so float64 weights give a float64 step (for gradient checks).
 */
public final class FastTrainableMultiHeadAttention {
    /** Queries per block of a causal tile. */
    static final int QUERY_BLOCK = 64;

    private final INDArray wQkv;   // [3d, d]: queries, keys, values stacked (PyTorch layout)
    private final INDArray wOut;   // [d, d]
    private final INDArray bOut;   // [d]
    private final int heads;
    private final int d;
    private final int hd;
    private final Activations own = new Activations();
    private final Scratch scratch = new Scratch();
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray input;        // [b·t, d]: the public forward's copy of x

    /**
     * What a forward pass keeps for the backward one: the queries, keys and values, the attention weights and
     * the heads' outputs. One per module normally; gradient checkpointing shares one between the blocks of a
     * stack ({@link FastTrainableBlockStack}).
     */
    static final class Activations {
        MatrixView x;              // [b·t, d], the input (the caller's array)
        MatrixView qkv;            // [b·t, 3d]
        MatrixView weights;        // [b·h·t, t]: tile k (= sequence·heads + head) is rows k·t ..
        MatrixView context;        // [b·t, d]
        int batch, tokens;
        boolean causal;

        /** Bytes of the arrays kept for the backward pass (the input is the caller's and not counted). */
        long bytes() {
            return qkv == null ? 0 : qkv.bytes() + weights.bytes() + context.bytes();
        }

        void allocate(DataType type, int batch, int tokens, int d, int heads) {
            long rows = (long) batch * tokens;
            if (qkv == null || qkv.base.dataType() != type || qkv.rows != rows || qkv.cols != 3 * d || weights.cols != tokens
                || weights.rows != (long) batch * heads * tokens) {
                qkv = MatrixView.allocate(type, rows, 3L * d);
                weights = MatrixView.allocate(type, (long) batch * heads * tokens, tokens);
                context = MatrixView.allocate(type, rows, d);
            }
            this.batch = batch;
            this.tokens = tokens;
        }
    }

    /** The backward pass's temporaries (nothing in them outlives one backward call). */
    static final class Scratch {
        MatrixView dO;             // [b·t, d]
        MatrixView dQkv;           // [b·t, 3d]

        void allocate(DataType type, long rows, int d) {
            if (dO == null || dO.base.dataType() != type || dO.rows != rows || dO.cols != d) {
                dO = MatrixView.allocate(type, rows, d);
                dQkv = MatrixView.allocate(type, rows, 3L * d);
            }
        }

        long bytes() {
            return dO == null ? 0 : dO.bytes() + dQkv.bytes();
        }
    }

    private FastTrainableMultiHeadAttention(INDArray wQkv, INDArray wOut, INDArray bOut, int heads) {
        this.wQkv = wQkv;
        this.wOut = wOut;
        this.bOut = bOut;
        this.heads = heads;
        this.d = Math.toIntExact(wOut.size(0));
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
        requireType(x, "x");
        int batch = Math.toIntExact(x.size(0)), tokens = Math.toIntExact(x.size(1));
        long rows = (long) batch * tokens;
        if (input == null || input.dataType() != x.dataType() || input.size(0) != rows) {
            input = Nd4j.createUninitialized(x.dataType(), rows, d);
        }
        MatrixView.copy(rowsOf(x, rows), MatrixView.of(input));   // a copy: the caller may change x before backward
        INDArray y = Nd4j.createUninitialized(x.dataType(), rows, d);
        forward(MatrixView.of(input), batch, tokens, causal, own, MatrixView.of(y));
        return y.reshape('c', batch, tokens, d);
    }

    /**
     * Back-propagates {@code dY} through the last {@link #forward}; the parameter gradients are then in
     * {@link #gradients()} (new arrays each call, not accumulated; the three projections' are views of one [3d, d] array).
     *
     * @param dY {@code [batch, tokens, d]}: the loss's gradient with respect to the output
     * @return the gradient with respect to the input x, {@code [batch, tokens, d]}
     */
    public INDArray backward(INDArray dY) {
        if (own.qkv == null || own.x == null) {
            throw new IllegalStateException("FastTrainableMultiHeadAttention.backward: call forward first");
        }
        int batch = own.batch, tokens = own.tokens;
        if (dY.rank() != 3 || dY.size(0) != batch || dY.size(1) != tokens || dY.size(2) != d) {
            throw new IllegalArgumentException("FastTrainableMultiHeadAttention.backward: dY must be [" + batch + ", " + tokens + ", "
                + d + "] like the forward output, got " + Shapes.describe(dY));
        }
        requireType(dY, "dY");
        long rows = (long) batch * tokens;
        INDArray dX = Nd4j.createUninitialized(dY.dataType(), rows, d);
        backward(rowsOf(dY, rows), own, scratch, MatrixView.of(dX), gradients);   // dY is only read, during this call
        return dX.reshape('c', batch, tokens, d);
    }

    /**
     * The forward pass on rows: {@code y = attention(x)}, keeping in {@code acts} what the backward pass needs
     * (x itself by reference: it must stay unchanged until then).
     *
     * @param x {@code [batch·tokens, d]}, sequence after sequence
     * @param y {@code [batch·tokens, d]}, overwritten
     */
    void forward(MatrixView x, int batch, int tokens, boolean causal, Activations acts, MatrixView y) {
        acts.allocate(x.base.dataType(), batch, tokens, d, heads);
        acts.x = x;
        acts.causal = causal;
        projectQkv(acts);
        attendForward(acts);
        projectOut(acts, y);
    }

    /** Forward phase 1: {@code QKV = X · [Wq; Wk; Wv]ᵀ}, {@code [b·t, 3d]}. */
    void projectQkv(Activations acts) {
        MatrixView.gemmOnAllCores(1, acts.x, false, MatrixView.of(wQkv), true, 0, acts.qkv, MatrixView.PIECE_ROWS);
    }

    /** Forward phase 2: every (sequence, head) tile's weights P and output O_h, tiles on all cores. */
    void attendForward(Activations acts) {
        int tokens = acts.tokens;
        boolean causal = acts.causal;
        double scale = 1 / Math.sqrt(hd);
        int block = causal ? QUERY_BLOCK : tokens;
        ParallelTiles.run(acts.batch * heads, acts.qkv.base.dataType(), 0, (tile, unused) -> {
            MatrixView q = head(acts.qkv, tile, tokens, 0), k = head(acts.qkv, tile, tokens, 1), v = head(acts.qkv, tile, tokens, 2);
            MatrixView p = acts.weights.rows(tile * tokens, (tile + 1) * tokens);              // [t, t]
            MatrixView o = head(acts.context, tile, tokens, -1);                              // [t, hd]
            for (int i0 = 0; i0 < tokens; i0 += block) {
                int i1 = Math.min(tokens, i0 + block), keys = causal ? i1 : tokens;
                MatrixView s = p.block(i0, i1, 0, keys);
                MatrixView.gemm(scale, q.rows(i0, i1), false, k.rows(0, keys), true, 0, s);   // scores of the visible keys
                softmaxRows(s, i0, causal);
                MatrixView.gemm(1, s, false, v.rows(0, keys), false, 0, o.rows(i0, i1));
            }
        });
    }

    /** Forward phase 3: {@code Y = O · Woᵀ + bo}, in pieces of rows on all cores (each piece: its bias rows, then its product). */
    void projectOut(Activations acts, MatrixView y) {
        MatrixView wo = MatrixView.of(wOut);
        float[] biasF = y.isFloat() ? bOut.toFloatVector() : null;
        double[] biasD = y.isFloat() ? null : bOut.toDoubleVector();
        int pieceRows = MatrixView.PIECE_ROWS;
        ParallelTiles.run((y.rows + pieceRows - 1) / pieceRows, y.base.dataType(), 0, (piece, unused) -> {
            int r0 = piece * pieceRows, r1 = Math.min(y.rows, r0 + pieceRows);
            if (biasF != null) {
                FloatBuffer b = y.floats();
                for (int r = r0; r < r1; r++) {
                    b.put(y.at(r), biasF, 0, d);
                }
            } else {
                DoubleBuffer b = y.doubles();
                for (int r = r0; r < r1; r++) {
                    b.put(y.at(r), biasD, 0, d);
                }
            }
            MatrixView.gemm(1, acts.context.rows(r0, r1), false, wo, true, 1, y.rows(r0, r1));
        });
    }

    /**
     * The backward pass on rows, after {@link #forward(MatrixView, int, int, boolean, Activations, MatrixView)} filled
     * {@code acts}: writes dX and puts new gradient arrays into {@code grads}.
     *
     * @param dy {@code [batch·tokens, d]}
     * @param dx {@code [batch·tokens, d]}, overwritten
     */
    void backward(MatrixView dy, Activations acts, Scratch s, MatrixView dx, Map<String, INDArray> grads) {
        DataType type = dy.base.dataType();
        s.allocate(type, (long) acts.batch * acts.tokens, d);
        INDArray dWout = Nd4j.createUninitialized(type, d, d);
        backOut(dy, acts, s, MatrixView.of(dWout));
        INDArray dbOut = RowLoops.columnSums(dy);
        attendBackward(acts, s);
        INDArray dWqkv = Nd4j.createUninitialized(type, 3L * d, d);                              // one product, three views
        backQkv(acts, s, MatrixView.of(dWqkv), dx);
        grads.clear();
        grads.put("W_query.weight", dWqkv.get(NDArrayIndex.interval(0, d), NDArrayIndex.all()));
        grads.put("W_key.weight", dWqkv.get(NDArrayIndex.interval(d, 2 * d), NDArrayIndex.all()));
        grads.put("W_value.weight", dWqkv.get(NDArrayIndex.interval(2 * d, 3 * d), NDArrayIndex.all()));
        grads.put("out_proj.weight", dWout);
        grads.put("out_proj.bias", dbOut);
    }

    /** Rows of a weight gradient per piece ({@code dW = dYᵀ·X} sums over all b·t rows; its d or 3d rows are cut). */
    private static final int WEIGHT_PIECE_ROWS = 128;

    /** Backward phase 1: {@code dWo = dYᵀ · O} {@code [d, d]} and {@code dO = dY · Wo} {@code [b·t, d]}. */
    void backOut(MatrixView dy, Activations acts, Scratch s, MatrixView dWout) {
        MatrixView.gemmOnAllCores(1, dy, true, acts.context, false, 0, dWout, WEIGHT_PIECE_ROWS);
        MatrixView.gemmOnAllCores(1, dy, false, MatrixView.of(wOut), false, 0, s.dO, MatrixView.PIECE_ROWS);
    }

    /** Backward phase 2: every tile's dQ, dK, dV (into {@code s.dQkv}) from dO, tiles on all cores. */
    void attendBackward(Activations acts, Scratch s) {
        int tokens = acts.tokens;
        boolean causal = acts.causal;
        double scale = 1 / Math.sqrt(hd);
        int block = causal ? QUERY_BLOCK : tokens;
        ParallelTiles.run(acts.batch * heads, acts.qkv.base.dataType(), (long) tokens * tokens, (tile, scratchVector) -> {
            MatrixView q = head(acts.qkv, tile, tokens, 0), k = head(acts.qkv, tile, tokens, 1), v = head(acts.qkv, tile, tokens, 2);
            MatrixView p = acts.weights.rows(tile * tokens, (tile + 1) * tokens);
            MatrixView dO = head(s.dO, tile, tokens, -1);
            MatrixView dQ = head(s.dQkv, tile, tokens, 0), dK = head(s.dQkv, tile, tokens, 1), dV = head(s.dQkv, tile, tokens, 2);
            MatrixView dS = MatrixView.over(scratchVector, tokens, tokens);
            for (int i0 = 0; i0 < tokens; i0 += block) {                                         // blocks of queries
                int i1 = Math.min(tokens, i0 + block), keys = causal ? i1 : tokens;
                MatrixView ds = dS.block(i0, i1, 0, keys);
                MatrixView.gemm(1, dO.rows(i0, i1), false, v.rows(0, keys), true, 0, ds);      // dP = dO·Vᵀ
                softmaxBackwardRows(ds, p.block(i0, i1, 0, keys), i0, causal);                 // dS = P ⊙ (dP − rowdot)
                MatrixView.gemm(scale, ds, false, k.rows(0, keys), false, 0, dQ.rows(i0, i1)); // dQ = dS·K/√hd
            }
            for (int j0 = 0; j0 < tokens; j0 += block) {                                         // blocks of keys
                int j1 = Math.min(tokens, j0 + block), first = causal ? j0 : 0;                  // the queries that see them
                MatrixView.gemm(1, p.block(first, tokens, j0, j1), true, dO.rows(first, tokens), false, 0, dV.rows(j0, j1));
                MatrixView.gemm(scale, dS.block(first, tokens, j0, j1), true, q.rows(first, tokens), false, 0, dK.rows(j0, j1));
            }
        });
    }

    /** Backward phase 3: {@code dW_qkv = dQKVᵀ · X} {@code [3d, d]} and {@code dX = dQKV · W_qkv} {@code [b·t, d]}. */
    void backQkv(Activations acts, Scratch s, MatrixView dWqkv, MatrixView dx) {
        MatrixView.gemmOnAllCores(1, s.dQkv, true, acts.x, false, 0, dWqkv, WEIGHT_PIECE_ROWS);
        MatrixView.gemmOnAllCores(1, s.dQkv, false, MatrixView.of(wQkv), false, 0, dx, MatrixView.PIECE_ROWS);
    }

    /**
     * The gradients of the last {@link #backward}: {@code W_query.weight}, {@code W_key.weight}, {@code W_value.weight}
     * ({@code [d, d]} each), {@code out_proj.weight} {@code [d, d]}, {@code out_proj.bias} {@code [d]}.
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
        return own.causal;
    }

    int d() {
        return d;
    }

    int heads() {
        return heads;
    }

    DataType dataType() {
        return wOut.dataType();
    }

    private void requireType(INDArray a, String name) {
        if (a.dataType() != wOut.dataType()) {
            throw new IllegalArgumentException("FastTrainableMultiHeadAttention: " + name + " is " + a.dataType() + ", the weights are "
                + wOut.dataType());
        }
    }

    /** {@code a} ({@code [batch, tokens, d]}) as {@code [rows, d]} rows, a view where its layout allows, else a c-order copy. */
    private MatrixView rowsOf(INDArray a, long rows) {
        if (a.ordering() == 'c' && a.elementWiseStride() == 1) {
            return MatrixView.of(a.reshape('c', rows, d));
        }
        return MatrixView.of(a.dup('c').reshape('c', rows, d));
    }

    /** Tile's sequence rows of its head's columns of m (which 0/1/2 = q/k/v of a fused [b·t, 3d] array; -1 = a [b·t, d] array). */
    private MatrixView head(MatrixView m, int tile, int tokens, int which) {
        int b = tile / heads, h = tile % heads;
        int col = (which < 0 ? 0 : which * d) + h * hd;
        return m.block(b * tokens, (b + 1) * tokens, col, col + hd);
    }

    /**
     * Softmax of every row of {@code s} in place, row r being query {@code queryStart + r}; with {@code causal} a
     * query sees the keys up to its own position (column = key position), and the rest of its row becomes 0.
     */
    static void softmaxRows(MatrixView s, int queryStart, boolean causal) {
        int cols = s.cols;
        if (s.isFloat()) {
            FusedSoftmax.FloatRows loops = FusedSoftmax.rows();
            FloatBuffer b = s.floats();
            float[] row = new float[cols];
            for (int r = 0; r < s.rows; r++) {
                int end = causal ? Math.min(cols, queryStart + r + 1) : cols;
                b.get(s.at(r), row, 0, end);
                float max = loops.max(row, 0, end);
                loops.scale(row, 0, end, (float) (1.0 / loops.expMinus(row, 0, end, max)));
                Arrays.fill(row, end, cols, 0f);
                b.put(s.at(r), row, 0, cols);
            }
        } else {
            DoubleBuffer b = s.doubles();
            double[] row = new double[cols];
            for (int r = 0; r < s.rows; r++) {
                int end = causal ? Math.min(cols, queryStart + r + 1) : cols;
                b.get(s.at(r), row, 0, end);
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < end; c++) {
                    max = Math.max(max, row[c]);
                }
                double sum = 0;
                for (int c = 0; c < end; c++) {
                    row[c] = Math.exp(row[c] - max);
                    sum += row[c];
                }
                for (int c = 0; c < end; c++) {
                    row[c] /= sum;
                }
                Arrays.fill(row, end, cols, 0.0);
                b.put(s.at(r), row, 0, cols);
            }
        }
    }

    /**
     * Softmax's backward on rows, in place: {@code dS[r, c] = P[r, c]·(dP[r, c] − Σ_c' dP[r, c']·P[r, c'])}, 0 where
     * the query does not see the key.
     */
    static void softmaxBackwardRows(MatrixView dP, MatrixView p, int queryStart, boolean causal) {
        int cols = p.cols;
        if (p.isFloat()) {
            FusedSoftmax.FloatRows loops = FusedSoftmax.rows();
            FloatBuffer db = dP.floats(), pb = p.floats();
            float[] dRow = new float[cols], pRow = new float[cols];
            for (int r = 0; r < p.rows; r++) {
                int end = causal ? Math.min(cols, queryStart + r + 1) : cols;
                db.get(dP.at(r), dRow, 0, end);
                pb.get(p.at(r), pRow, 0, end);
                loops.softmaxGrad(dRow, pRow, 0, end, (float) loops.dot(dRow, pRow, 0, end));
                Arrays.fill(dRow, end, cols, 0f);
                db.put(dP.at(r), dRow, 0, cols);
            }
        } else {
            DoubleBuffer db = dP.doubles(), pb = p.doubles();
            double[] dRow = new double[cols], pRow = new double[cols];
            for (int r = 0; r < p.rows; r++) {
                int end = causal ? Math.min(cols, queryStart + r + 1) : cols;
                db.get(dP.at(r), dRow, 0, end);
                pb.get(p.at(r), pRow, 0, end);
                double dot = 0;
                for (int c = 0; c < end; c++) {
                    dot += dRow[c] * pRow[c];
                }
                for (int c = 0; c < end; c++) {
                    dRow[c] = pRow[c] * (dRow[c] - dot);
                }
                Arrays.fill(dRow, end, cols, 0.0);
                db.put(dP.at(r), dRow, 0, cols);
            }
        }
    }
}
