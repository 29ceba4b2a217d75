package dev.attentionkit.bench;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One forward pass of a {@link HeadlineImplementations} entry; the workload comes in as JMH parameters. */
@State(Scope.Benchmark)
public class HeadlineBenchmark {
    @Param("kit-fast-mha")
    public String impl;
    @Param("2")
    public int batch;
    @Param("256")
    public int tokens;
    @Param("256")
    public int dModel;
    @Param("4")
    public int heads;
    @Param("true")
    public boolean causal;

    private Supplier<INDArray> forward;

    @Setup
    public void setUp() {
        Workload w = new Workload(batch, tokens, dModel, heads, causal);
        forward = HeadlineImplementations.get(impl).build().apply(Nd4jInputs.of(SeededInputs.of(w, 42)));
    }

    @Benchmark
    public INDArray forward() {
        return forward.get();
    }
}
