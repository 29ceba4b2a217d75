package dev.attentionkit.bench;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One causal head of 64 at a given length through one {@link ScalingImplementations} entry. */
@State(Scope.Benchmark)
public class ScalingBenchmark {
    @Param("blocked")
    public String impl;
    @Param("1024")
    public int tokens;

    private Supplier<INDArray> call;

    @Setup
    public void setUp() {
        INDArray[] qkv = ScalingImplementations.inputs(tokens, 5);
        call = ScalingImplementations.all().get(impl).build(qkv[0], qkv[1], qkv[2]);
    }

    @Benchmark
    public INDArray attend() {
        return call.get();
    }
}
