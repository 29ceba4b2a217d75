package dev.attentionkit.efficient;

import dev.attentionkit.tensor.Shapes;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A row-major matrix inside an ND4J array's buffer: element {@code (r, c)} at {@code offset + r·ld + c}. A block
 * of rows or columns of one ({@link #rows}, {@link #cols}) is a new small Java object, not an ND4J view, and
 * {@link #gemm} hands it to BLAS as a pointer and a leading dimension.
 *
 * <p>Why not ND4J views and {@code Nd4j.exec(new Mmul(..))}, as {@link Gemm} does: the hand-written training steps
 * run about a thousand small products per step (a causal tile in blocks of 64 queries, 256 × 64 × 64), and ND4J
 * spends tens of microseconds on each beside the arithmetic: making the view, building the op (which draws a
 * {@code SecureRandom} UUID for its name), checking shapes in native code. Here a product is one call of
 * {@code cblas_sgemm} / {@code cblas_dgemm} of the OpenBLAS ND4J itself runs on (JavaCPP's
 * {@code openblas_nolapack}, whose thread count {@code Nd4j.factory().blas().setMaxThreads} sets). On a backend
 * that is not the CPU the product goes through ND4J's {@code Mmul} on views instead.
 */
final class MatrixView {
    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    final INDArray base;
    final long offset;
    final int rows, cols, ld;

    private MatrixView(INDArray base, long offset, int rows, int cols, int ld) {
        this.base = base;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
    }

    /** A 2-D float32 or float64 array whose rows are contiguous (a c-order array or a column range of one). */
    static MatrixView of(INDArray m) {
        Shapes.requireRank(m, "matrix", "[rows, cols]", 2);
        if (m.size(1) > 1 && m.stride(1) != 1) {
            throw new IllegalArgumentException("matrix " + Shapes.describe(m) + ": its columns must be adjacent in memory, got strides "
                + Arrays.toString(m.stride()));
        }
        if (m.dataType() != DataType.FLOAT && m.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("matrix " + Shapes.describe(m) + ": expected float32 or float64, got " + m.dataType());
        }
        int rows = Math.toIntExact(m.size(0)), cols = Math.toIntExact(m.size(1));
        int ld = rows > 1 ? Math.toIntExact(m.stride(0)) : cols;
        return new MatrixView(m, m.offset(), rows, cols, Math.max(ld, 1));
    }

    /** A fresh c-order {@code [rows, cols]} array of {@code type} (uninitialised) and its view. */
    static MatrixView allocate(DataType type, long rows, long cols) {
        return of(Nd4j.createUninitialized(type, rows, cols));
    }

    /** The first {@code rows·cols} elements of a contiguous vector (a worker's scratch) as a {@code [rows, cols]} matrix. */
    static MatrixView over(INDArray vector, long rows, long cols) {
        if (vector.length() < rows * cols || vector.elementWiseStride() != 1) {
            throw new IllegalArgumentException("scratch " + Shapes.describe(vector) + " is too small or not contiguous for ["
                + rows + ", " + cols + "]");
        }
        return new MatrixView(vector, vector.offset(), Math.toIntExact(rows), Math.toIntExact(cols), Math.toIntExact(Math.max(cols, 1)));
    }

    /** Rows {@code from..to-1}. */
    MatrixView rows(int from, int to) {
        check(from, to, rows, "rows");
        return new MatrixView(base, offset + (long) from * ld, to - from, cols, ld);
    }

    /** Columns {@code from..to-1}. */
    MatrixView cols(int from, int to) {
        check(from, to, cols, "columns");
        return new MatrixView(base, offset + from, rows, to - from, ld);
    }

    /** Rows {@code r0..r1-1} of columns {@code c0..c1-1}. */
    MatrixView block(int r0, int r1, int c0, int c1) {
        return rows(r0, r1).cols(c0, c1);
    }

    boolean isFloat() {
        return base.dataType() == DataType.FLOAT;
    }

    /** Buffer index of element {@code (r, 0)}. */
    int at(int r) {
        return Math.toIntExact(offset + (long) r * ld);
    }

    /** The whole buffer as a float NIO buffer (index with {@link #at}); float32 only. */
    FloatBuffer floats() {
        return base.data().asNioFloat();
    }

    /** The whole buffer as a double NIO buffer (index with {@link #at}); float64 only. */
    DoubleBuffer doubles() {
        return base.data().asNioDouble();
    }

    long bytes() {
        return (long) rows * cols * base.dataType().width();
    }

    /** An ND4J view of this region (for the non-CPU path, and for tests). */
    INDArray toArray() {
        return Nd4j.create(base.data(), new long[] {rows, cols}, new long[] {ld, 1}, offset, 'c');
    }

    /**
     * {@code c = alpha·op(a)·op(b) + beta·c}, op = transpose where asked. With {@code beta = 0} c's old contents are
     * never read (uninitialised memory is fine).
     */
    static void gemm(double alpha, MatrixView a, boolean transA, MatrixView b, boolean transB, double beta, MatrixView c) {
        int m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols;
        int kb = transB ? b.cols : b.rows, n = transB ? b.rows : b.cols;
        if (k != kb || c.rows != m || c.cols != n) {
            throw new IllegalArgumentException(String.format("gemm: op(a) is [%d, %d], op(b) [%d, %d], c [%d, %d]", m, k, kb, n,
                c.rows, c.cols));
        }
        DataType type = c.base.dataType();
        if (a.base.dataType() != type || b.base.dataType() != type) {
            throw new IllegalArgumentException("gemm: a " + a.base.dataType() + ", b " + b.base.dataType() + ", c " + type);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (!Nd4j.getEnvironment().isCPU()) {
            Nd4j.exec(new Mmul(a.toArray(), b.toArray(), c.toArray(), alpha, beta,
                MMulTranspose.builder().transposeA(transA).transposeB(transB).build()));
            return;
        }
        if (k == 0) {
            // BLAS leaves c alone when k = 0 only if beta = 1; say what is meant: c = beta·c.
            c.toArray().muli(beta);
            return;
        }
        int ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, (float) alpha, a.floatPointer(), a.ld, b.floatPointer(), b.ld,
                (float) beta, c.floatPointer(), c.ld);
        } else {
            openblas_nolapack.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a.doublePointer(), a.ld, b.doublePointer(), b.ld, beta,
                c.doublePointer(), c.ld);
        }
        // The pointers do not keep the arrays alive: the arrays must outlive the native call.
        java.lang.ref.Reference.reachabilityFence(a.base);
        java.lang.ref.Reference.reachabilityFence(b.base);
        java.lang.ref.Reference.reachabilityFence(c.base);
    }

    /**
     * Copies {@code from} into {@code to} (same shape and type) by native {@code memcpy}, row by row or, when both are
     * contiguous, in one call. Not through an ND4J op ({@code assign}, {@code dup}) on purpose: ND4J's ops run on its
     * OpenMP threads, and after each parallel region libgomp's idle thread keeps spinning on a core for a few
     * milliseconds (its default wait policy), which on a 2-core machine takes half of the next tile phase's cores.
     */
    static void copy(MatrixView from, MatrixView to) {
        if (from.rows != to.rows || from.cols != to.cols || from.base.dataType() != to.base.dataType()) {
            throw new IllegalArgumentException(String.format("copy: from [%d, %d] %s, to [%d, %d] %s", from.rows, from.cols,
                from.base.dataType(), to.rows, to.cols, to.base.dataType()));
        }
        if (!Nd4j.getEnvironment().isCPU()) {
            to.toArray().assign(from.toArray());
            return;
        }
        long width = from.base.dataType().width(), rowBytes = from.cols * width;
        if (from.ld == from.cols && to.ld == to.cols) {
            org.bytedeco.javacpp.Pointer.memcpy(new Address(to.elementAddress()), new Address(from.elementAddress()), rowBytes * from.rows);
        } else {
            for (int r = 0; r < from.rows; r++) {
                org.bytedeco.javacpp.Pointer.memcpy(new Address(to.elementAddress() + r * to.ld * width),
                    new Address(from.elementAddress() + r * from.ld * width), rowBytes);
            }
        }
        java.lang.ref.Reference.reachabilityFence(from.base);
        java.lang.ref.Reference.reachabilityFence(to.base);
    }

    /** Rows of c per piece in {@link #gemmOnAllCores} for products over the tokens' rows ({@code [b·t, ·]}). */
    static final int PIECE_ROWS = 256;

    /**
     * {@link #gemm}, with c's rows cut into fixed pieces of {@code pieceRows} (the last one shorter) that run on all
     * cores ({@link ParallelTiles}), each a single-threaded BLAS call. The pieces depend on c's size only, never on
     * the threads, so the result is the same on any number of cores, and the same as {@link #gemm} would give on
     * the same pieces one after another.
     *
     * <p>Why not BLAS's own threads for the large products of a training step: after a multi-threaded call,
     * OpenBLAS 0.3.19's worker threads keep spinning on their cores for about a tenth of a second, waiting for the
     * next one, so the attention tiles that follow ({@link ParallelTiles}, single-threaded BLAS on every core)
     * share their cores with spinning threads; from the Java pool, the OpenBLAS threads stay asleep.
     */
    static void gemmOnAllCores(double alpha, MatrixView a, boolean transA, MatrixView b, boolean transB, double beta, MatrixView c,
                               int pieceRows) {
        int m = transA ? a.cols : a.rows;
        if (m != c.rows || pieceRows < 1) {
            throw new IllegalArgumentException(String.format("gemmOnAllCores: op(a) has %d rows, c [%d, %d], pieces of %d rows", m, c.rows,
                c.cols, pieceRows));
        }
        int pieces = Math.max(1, (c.rows + pieceRows - 1) / pieceRows);
        ParallelTiles.run(pieces, c.base.dataType(), 0, (piece, unused) -> {
            int r0 = piece * pieceRows, r1 = Math.min(c.rows, r0 + pieceRows);
            gemm(alpha, transA ? a.cols(r0, r1) : a.rows(r0, r1), transA, b, transB, beta, c.rows(r0, r1));
        });
    }

    private FloatPointer floatPointer() {
        return new FloatPointer(new Address(elementAddress()));
    }

    private DoublePointer doublePointer() {
        return new DoublePointer(new Address(elementAddress()));
    }

    /**
     * The native address of element (0, 0). {@code DataBuffer.address()} is where the allocation starts, also for the
     * buffer of a view ({@code x.get(point(i))}), and {@code offset} counts elements from there. (Going through
     * {@code asNioFloat()} instead, JavaCPP reads a view's buffer position as an offset of its own and lands elsewhere.)
     */
    private long elementAddress() {
        return base.data().address() + offset * base.dataType().width();
    }

    /** A bare native address for JavaCPP (Pointer's address field is protected). */
    private static final class Address extends org.bytedeco.javacpp.Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    private static void check(int from, int to, int size, String what) {
        if (from < 0 || to < from || to > size) {
            throw new IndexOutOfBoundsException(what + " " + from + ".." + to + " of " + size);
        }
    }
}
