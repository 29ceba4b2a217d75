package dev.attentionkit.efficient;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix products of the tiled attention classes, written into a given output: {@code c = alpha·op(a)·op(b)
 * + beta·c}. Operands and output may be views with a row stride (a head's columns of the fused projection,
 * a block of a sequence): BLAS reads and writes them in place. For 2-D operands only; ND4J's rank-3 batched
 * product with a transpose flag is many times slower on 1.0.0-M2.1.
 */
final class Gemm {
    private static final MMulTranspose PLAIN = MMulTranspose.allFalse();
    private static final MMulTranspose TRANSPOSE_A = MMulTranspose.builder().transposeA(true).build();
    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();

    private Gemm() {}

    /** {@code c = alpha·a·b + beta·c}. */
    static void product(INDArray a, INDArray b, INDArray c, double alpha, double beta) {
        Nd4j.exec(new Mmul(a, b, c, alpha, beta, PLAIN));
    }

    /** {@code c = alpha·a·bᵀ}, e.g. scaled scores {@code Q·Kᵀ/sqrt(d)}. */
    static void timesTransposed(INDArray a, INDArray b, INDArray c, double alpha) {
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0, TRANSPOSE_B));
    }

    /** {@code c = aᵀ·b}, e.g. {@code φ(K)ᵀ·V}. */
    static void transposedTimes(INDArray a, INDArray b, INDArray c) {
        Nd4j.exec(new Mmul(a, b, c, 1.0, 0.0, TRANSPOSE_A));
    }
}
