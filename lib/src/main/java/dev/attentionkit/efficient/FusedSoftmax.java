package dev.attentionkit.efficient;

import dev.attentionkit.tensor.Shapes;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax the way a fused attention kernel computes it: one pass over each row of a score tile, with the
 * causal mask applied by position instead of by adding a mask matrix.
 *
 * <p>Written as separate ND4J calls, a masked softmax reads and writes the whole tile five times (add the
 * mask, row maximum, subtract, exponentiate, row sum, divide) and exponentiates the masked half too. Here
 * each row is copied once into a small Java array, the keys after the query are skipped (they get weight 0
 * and are never exponentiated), and the row is written back once. The loops use the JDK's Vector API when
 * the JVM enables it ({@code --add-modules jdk.incubator.vector}, as {@code ./kit} and the build do), plain
 * loops otherwise; {@link #vectorised()} tells which. {@link FastMultiHeadAttention} and
 * {@link BlockedAttention} use it between their two matrix products.
 *
 * <p>The arithmetic is the textbook one: maximum, {@code exp(s - max)}, sum, then divide. Row {@code r} of a
 * tile belongs to query {@code queryStart + r}, column {@code c} to key {@code keyStart + c}; with
 * {@code causal} a query sees the keys at or before its own position. A tile is a float32 or float64
 * matrix whose columns are adjacent in memory (a contiguous array, or a column range of one).
 */
public final class FusedSoftmax {
    /** The three loops over entries {@code from..to-1} of a float row; see {@link VectorRows} and {@link ScalarRows}. */
    interface FloatRows {
        /** Largest entry ({@code -inf} for none). */
        float max(float[] row, int from, int to);

        /** {@code row[c] = exp(row[c] - shift)}; returns their sum. */
        double expMinus(float[] row, int from, int to, float shift);

        /** {@code row[c] *= factor}. */
        void scale(float[] row, int from, int to, float factor);

        /** {@code Σ a[c]·b[c]} (in double where the lanes are summed). */
        double dot(float[] a, float[] b, int from, int to);

        /** Softmax's backward on one row: {@code dp[c] = p[c]·(dp[c] − dot)}, {@code dot = Σ dp·p} of the row. */
        void softmaxGrad(float[] dp, float[] p, int from, int to, float dot);
    }

    /** No limit on how far a query reaches: every key (or, if causal, every earlier key) is visible. */
    public static final int NO_WINDOW = Integer.MAX_VALUE;

    private static final FloatRows ROWS = chooseRows();

    private FusedSoftmax() {}

    /** The row loops in use (Vector API or plain), for the other fused kernels of this package. */
    static FloatRows rows() {
        return ROWS;
    }

    /** Whether the row loops run on the Vector API (else on plain Java loops; same results within 1 ulp). */
    public static boolean vectorised() {
        return ROWS instanceof VectorRows;
    }

    /**
     * Softmax of every row of a score tile, in place. A row that sees no key becomes all zeros, as the kit's
     * masked softmax does for fully masked rows.
     *
     * @param scores     {@code [queries, keys]} scaled scores; overwritten with the attention weights
     * @param queryStart position of row 0's query in the sequence
     * @param keyStart   position of column 0's key in the sequence
     * @param causal     mask the keys after each query
     */
    public static void softmaxInPlace(INDArray scores, long queryStart, long keyStart, boolean causal) {
        softmaxInPlace(scores, queryStart, keyStart, causal, NO_WINDOW);
    }

    /**
     * Like {@link #softmaxInPlace(INDArray, long, long, boolean)}, with a sliding window as well: query i
     * sees key j only when {@code |i - j| < window} ({@link SlidingWindowAttention}'s convention).
     *
     * @param window how far a query reaches, at least 1, or {@link #NO_WINDOW}
     */
    public static void softmaxInPlace(INDArray scores, long queryStart, long keyStart, boolean causal, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        Tile tile = Tile.of(scores);
        for (int r = 0; r < tile.rows; r++) {
            int from = firstVisible(queryStart + r, keyStart, tile.cols, window);
            int to = endVisible(queryStart + r, keyStart, tile.cols, causal, window);
            tile.load(r, from, to);
            double max = tile.max(from, to);
            if (from < to && max != Double.NEGATIVE_INFINITY) {
                tile.scale(from, to, 1.0 / tile.expMinus(from, to, max));
            } else {
                from = to;
            }
            tile.zeroOutside(from, to);
            tile.store(r);
        }
        tile.done();
    }

    /**
     * The running maximum and sum of every query row for the online form (see {@link OnlineSoftmax}):
     * {@code max = -inf} and {@code sum = 0} before the first tile.
     */
    public static final class Running {
        private final double[] max;
        private final double[] sum;

        /** @param queries rows of the tiles that will be folded in */
        public Running(int queries) {
            max = new double[queries];
            sum = new double[queries];
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        public int queries() {
            return max.length;
        }

        /** Largest score query {@code r} has seen so far. */
        public double max(int r) {
            return max[r];
        }

        /** Sum of {@code exp(score - max(r))} over the keys query {@code r} has seen so far. */
        public double sum(int r) {
            return sum[r];
        }

        /**
         * Divides row {@code r} of the accumulated {@code weights · values} by {@link #sum(int)}: the
         * attention output once every tile is folded in. A row that saw no key becomes zeros.
         *
         * @param acc {@code [queries, dV]}, in place
         */
        public void normalise(INDArray acc) {
            Tile tile = Tile.of(acc);
            requireRows(tile);
            for (int r = 0; r < tile.rows; r++) {
                if (sum[r] > 0) {
                    tile.load(r, 0, tile.cols);
                    tile.scale(0, tile.cols, 1.0 / sum[r]);
                } else {
                    tile.zeroOutside(0, 0);
                }
                tile.store(r);
            }
            tile.done();
        }

        private void requireRows(Tile tile) {
            if (tile.rows != max.length) {
                throw new IllegalArgumentException("expected " + max.length + " query rows, got " + tile.rows);
            }
        }
    }

    /**
     * One online-softmax step, fused: the update {@link OnlineSoftmax} makes for a block of keys, one pass
     * per row. Afterwards {@code scores} holds {@code exp(score - newMax)} (0 where masked), the running
     * maximum and sum include the tile, and {@code acc} is rescaled by {@code exp(oldMax - newMax)} per row,
     * so that adding {@code scores · values} to it (a GEMM with {@code beta = 1}) completes the step.
     *
     * @param scores     {@code [queries, keys]} scaled scores of one tile, in place
     * @param acc        {@code [queries, dV]} accumulated {@code weights · values} so far, in place; a row is
     *                   only read once it has seen a key, so it may start uninitialised
     * @param queryStart position of row 0's query in the sequence
     * @param keyStart   position of column 0's key in the sequence
     * @param causal     mask the keys after each query
     * @param running    the running maximum and sum, updated
     */
    public static void onlineStepInPlace(INDArray scores, INDArray acc, long queryStart, long keyStart, boolean causal,
                                         Running running) {
        Tile tile = Tile.of(scores), out = Tile.of(acc);
        running.requireRows(tile);
        running.requireRows(out);
        for (int r = 0; r < tile.rows; r++) {
            int n = endVisible(queryStart + r, keyStart, tile.cols, causal, NO_WINDOW);
            tile.load(r, 0, n);
            double newMax = Math.max(running.max[r], tile.max(0, n));
            if (n > 0 && newMax != Double.NEGATIVE_INFINITY) {
                double rescale = Math.exp(running.max[r] - newMax);     // 0 while the old maximum is -inf
                running.sum[r] = running.sum[r] * rescale + tile.expMinus(0, n, newMax);
                running.max[r] = newMax;
                if (rescale == 0.0) {
                    out.zeroOutside(0, 0);                              // this row's first keys: acc may be garbage
                    out.store(r);
                } else if (rescale != 1.0) {
                    out.load(r, 0, out.cols);
                    out.scale(0, out.cols, rescale);
                    out.store(r);
                }
            } else {
                n = 0;
            }
            tile.zeroOutside(0, n);
            tile.store(r);
        }
        tile.done();
        out.done();
    }

    /** First column of a tile that query {@code query} may see (the window's start). */
    static int firstVisible(long query, long keyStart, int cols, int window) {
        return window == NO_WINDOW ? 0 : (int) Math.max(0, Math.min(cols, query - window + 1 - keyStart));
    }

    /** One past the last column of a tile that query {@code query} may see. */
    static int endVisible(long query, long keyStart, int cols, boolean causal, int window) {
        long end = causal ? query + 1 : window == NO_WINDOW ? Long.MAX_VALUE : query + window;
        return (int) Math.max(0, Math.min(cols, end - keyStart));
    }

    private static FloatRows chooseRows() {
        boolean enabled = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("attentionkit.vector"));
        return enabled ? new VectorRows() : new ScalarRows();
    }

    /**
     * One row of a matrix at a time, staged in a Java array: element (r, c) is at
     * {@code offset + r·rowStride + c} of the matrix's buffer.
     */
    private abstract static class Tile {
        final INDArray array;
        final int rows, cols;
        final long offset, rowStride;

        Tile(INDArray array) {
            this.array = array;
            rows = Math.toIntExact(array.size(0));
            cols = Math.toIntExact(array.size(1));
            offset = array.offset();
            rowStride = array.stride(0);
            // On a GPU backend the host copy may be stale; on the CPU this does nothing.
            Nd4j.getAffinityManager().ensureLocation(array, AffinityManager.Location.HOST);
        }

        static Tile of(INDArray x) {
            Shapes.requireRank(x, "tile", "[rows, cols]", 2);
            if (x.size(1) > 1 && x.stride(1) != 1) {
                throw new IllegalArgumentException("tile " + Shapes.describe(x)
                    + ": its columns must be adjacent in memory (stride 1), got strides " + Arrays.toString(x.stride()));
            }
            if (x.dataType() == DataType.FLOAT) {
                return new FloatTile(x);
            } else if (x.dataType() == DataType.DOUBLE) {
                return new DoubleTile(x);
            }
            throw new IllegalArgumentException("tile " + Shapes.describe(x) + ": expected float32 or float64, got "
                + x.dataType());
        }

        int at(int r) {
            return Math.toIntExact(offset + r * rowStride);
        }

        /** Copies entries {@code from..to-1} of row r into the same places of the staging row. */
        abstract void load(int r, int from, int to);

        /** Writes the whole staging row back to row r. */
        abstract void store(int r);

        abstract double max(int from, int to);

        abstract double expMinus(int from, int to, double shift);

        abstract void scale(int from, int to, double factor);

        /** Zeros the staging row outside {@code from..to-1}. */
        abstract void zeroOutside(int from, int to);

        /** Tells a GPU backend that the host copy is now the current one. */
        void done() {
            Nd4j.getAffinityManager().tagLocation(array, AffinityManager.Location.HOST);
        }
    }

    private static final class FloatTile extends Tile {
        final FloatBuffer buffer;
        final float[] row;

        FloatTile(INDArray x) {
            super(x);
            buffer = x.data().asNioFloat();
            row = new float[cols];
        }

        @Override void load(int r, int from, int to) {
            buffer.get(at(r) + from, row, from, to - from);
        }

        @Override void store(int r) {
            buffer.put(at(r), row, 0, cols);
        }

        @Override double max(int from, int to) {
            return ROWS.max(row, from, to);
        }

        @Override double expMinus(int from, int to, double shift) {
            return ROWS.expMinus(row, from, to, (float) shift);
        }

        @Override void scale(int from, int to, double factor) {
            ROWS.scale(row, from, to, (float) factor);
        }

        @Override void zeroOutside(int from, int to) {
            Arrays.fill(row, 0, from, 0f);
            Arrays.fill(row, Math.max(from, to), cols, 0f);
        }
    }

    private static final class DoubleTile extends Tile {
        final DoubleBuffer buffer;
        final double[] row;

        DoubleTile(INDArray x) {
            super(x);
            buffer = x.data().asNioDouble();
            row = new double[cols];
        }

        @Override void load(int r, int from, int to) {
            buffer.get(at(r) + from, row, from, to - from);
        }

        @Override void store(int r) {
            buffer.put(at(r), row, 0, cols);
        }

        @Override double max(int from, int to) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = from; c < to; c++) {
                max = Math.max(max, row[c]);
            }
            return max;
        }

        @Override double expMinus(int from, int to, double shift) {
            double sum = 0;
            for (int c = from; c < to; c++) {
                row[c] = Math.exp(row[c] - shift);
                sum += row[c];
            }
            return sum;
        }

        @Override void scale(int from, int to, double factor) {
            for (int c = from; c < to; c++) {
                row[c] *= factor;
            }
        }

        @Override void zeroOutside(int from, int to) {
            Arrays.fill(row, 0, from, 0.0);
            Arrays.fill(row, Math.max(from, to), cols, 0.0);
        }
    }
}
