package dev.attentionkit.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The machine's float32 GEMM throughput through ND4J (OpenBLAS): the ceiling attention is measured against. */
@State(Scope.Benchmark)
public class MatmulBenchmark {
    @Param("2048")
    public int size;

    private INDArray a;
    private INDArray b;
    private INDArray c;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(7);
        a = Nd4j.rand(DataType.FLOAT, size, size);
        b = Nd4j.rand(DataType.FLOAT, size, size);
        c = Nd4j.create(DataType.FLOAT, size, size);
    }

    @Benchmark
    public INDArray mmul() {
        return Nd4j.matmul(a, b, c);   // into a preallocated result: only the product is timed
    }

    public static double flops(int size) {
        return 2.0 * size * size * size;
    }
}
