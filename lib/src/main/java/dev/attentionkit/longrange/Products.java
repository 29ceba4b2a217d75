package dev.attentionkit.longrange;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The 2-D matrix products of the hand-written training steps, written into a given output (which may be a view
 * with a row stride, e.g. one time step {@code [b, H]} of a {@code [b, T, H]} array): {@code c = alpha·op(a)·op(b)
 * + beta·c}.
 */
final class Products {
    private static final MMulTranspose PLAIN = MMulTranspose.allFalse();
    private static final MMulTranspose TRANSPOSE_A = MMulTranspose.builder().transposeA(true).build();
    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();

    private Products() {}

    /** Time step s of a {@code [b, T, n]} array: a {@code [b, n]} view. */
    static INDArray step(INDArray x, long s) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.point(s), NDArrayIndex.all());
    }

    /** {@code c = a·b + beta·c}. */
    static void product(INDArray a, INDArray b, INDArray c, double beta) {
        Nd4j.exec(new Mmul(a, b, c, 1.0, beta, PLAIN));
    }

    /** {@code c = a·bᵀ + beta·c}: a layer {@code x·Wᵀ} with W in PyTorch's {@code [out, in]} layout. */
    static void timesTransposed(INDArray a, INDArray b, INDArray c, double beta) {
        Nd4j.exec(new Mmul(a, b, c, 1.0, beta, TRANSPOSE_B));
    }

    /** {@code c = aᵀ·b + beta·c}: a weight's gradient {@code dYᵀ·X}. */
    static void transposedTimes(INDArray a, INDArray b, INDArray c, double beta) {
        Nd4j.exec(new Mmul(a, b, c, 1.0, beta, TRANSPOSE_A));
    }
}
