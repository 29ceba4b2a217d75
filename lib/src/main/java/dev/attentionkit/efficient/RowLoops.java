package dev.attentionkit.efficient;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-by-row loops of the hand-written training steps (bias rows, column sums, layer norms), over blocks of rows
 * on all cores. For a {@code [2048, 256]} activation ND4J's element-wise ops cost more in dispatch and in
 * threads of their own than the arithmetic; here each row is staged once in a Java array. The blocks of rows
 * depend on the number of rows only, never on the threads, and partial sums are added in block order, so every
 * result is the same from run to run (gradient checkpointing relies on it: a recomputed forward pass equals
 * the first one bit for bit).
 */
final class RowLoops {
    /** What one block of rows does. */
    interface Body {
        void run(int block, int from, int to);
    }

    static final int BLOCK_ROWS = 128;

    private RowLoops() {}

    static int blocks(int rows) {
        return (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
    }

    /** Calls {@code body} for rows {@code 0..rows-1} in blocks of {@link #BLOCK_ROWS}, blocks on all cores. */
    static void run(int rows, DataType type, Body body) {
        ParallelTiles.run(blocks(rows), type, 1,
            (block, scratch) -> body.run(block, block * BLOCK_ROWS, Math.min(rows, (block + 1) * BLOCK_ROWS)));
    }

    /** Every row of {@code m} set to {@code v} ({@code [cols]}). */
    static void fillRows(MatrixView m, INDArray v) {
        if (m.isFloat()) {
            float[] row = v.toFloatVector();
            run(m.rows, DataType.FLOAT, (block, from, to) -> {
                FloatBuffer b = m.floats();
                for (int r = from; r < to; r++) {
                    b.put(m.at(r), row, 0, m.cols);
                }
            });
        } else {
            double[] row = v.toDoubleVector();
            run(m.rows, DataType.DOUBLE, (block, from, to) -> {
                DoubleBuffer b = m.doubles();
                for (int r = from; r < to; r++) {
                    b.put(m.at(r), row, 0, m.cols);
                }
            });
        }
    }

    /** {@code Σ_r m[r, c]}, a new {@code [cols]} vector of m's type (summed in double, blocks in order). */
    static INDArray columnSums(MatrixView m) {
        int blocks = blocks(m.rows);
        double[][] partial = new double[blocks][m.cols];
        if (m.isFloat()) {
            run(m.rows, DataType.FLOAT, (block, from, to) -> {
                FloatBuffer b = m.floats();
                float[] row = new float[m.cols];
                double[] acc = partial[block];
                for (int r = from; r < to; r++) {
                    b.get(m.at(r), row, 0, m.cols);
                    for (int c = 0; c < m.cols; c++) {
                        acc[c] += row[c];
                    }
                }
            });
        } else {
            run(m.rows, DataType.DOUBLE, (block, from, to) -> {
                DoubleBuffer b = m.doubles();
                double[] row = new double[m.cols];
                double[] acc = partial[block];
                for (int r = from; r < to; r++) {
                    b.get(m.at(r), row, 0, m.cols);
                    for (int c = 0; c < m.cols; c++) {
                        acc[c] += row[c];
                    }
                }
            });
        }
        return sum(partial, m.base.dataType());
    }

    /** The partial sums of every block added in block order, as a vector of {@code type}. */
    static INDArray sum(double[][] partial, DataType type) {
        double[] total = new double[partial.length == 0 ? 0 : partial[0].length];
        for (double[] p : partial) {
            for (int c = 0; c < total.length; c++) {
                total[c] += p[c];
            }
        }
        if (type == DataType.FLOAT) {                       // rounded here, not by an ND4J cast op (see MatrixView.copy)
            float[] f = new float[total.length];
            for (int c = 0; c < total.length; c++) {
                f[c] = (float) total[c];
            }
            return Nd4j.createFromArray(f);
        }
        return Nd4j.createFromArray(total).castTo(type);
    }

    /**
     * One matrix's rows staged as {@code double[]} (float32 rows converted on the way in and out), so the row
     * arithmetic of the layer norms and the feed-forward is written once for both types; one per worker.
     */
    static final class Staged {
        private final MatrixView m;
        private final FloatBuffer floats;
        private final DoubleBuffer doubles;
        private final float[] staging;

        Staged(MatrixView m) {
            this.m = m;
            this.floats = m.isFloat() ? m.floats() : null;
            this.doubles = m.isFloat() ? null : m.doubles();
            this.staging = m.isFloat() ? new float[m.cols] : null;
        }

        /** Row r into {@code row[0..cols-1]}. */
        void get(int r, double[] row) {
            if (floats != null) {
                floats.get(m.at(r), staging, 0, m.cols);
                for (int c = 0; c < m.cols; c++) {
                    row[c] = staging[c];
                }
            } else {
                doubles.get(m.at(r), row, 0, m.cols);
            }
        }

        /** {@code row[0..cols-1]} into row r. */
        void put(int r, double[] row) {
            if (floats != null) {
                for (int c = 0; c < m.cols; c++) {
                    staging[c] = (float) row[c];
                }
                floats.put(m.at(r), staging, 0, m.cols);
            } else {
                doubles.put(m.at(r), row, 0, m.cols);
            }
        }
    }
}
