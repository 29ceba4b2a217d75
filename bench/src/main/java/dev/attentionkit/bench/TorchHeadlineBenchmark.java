package dev.attentionkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** {@link TorchMultiHeadAttention} under JMH; runs only on the PyTorch class path (see {@link TorchMain}). */
@State(Scope.Benchmark)
public class TorchHeadlineBenchmark {
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

    private TorchMultiHeadAttention mha;

    @Setup
    public void setUp() {
        mha = new TorchMultiHeadAttention(SeededInputs.of(new Workload(batch, tokens, dModel, heads, causal), 42));
    }

    @Benchmark
    public float[] forward() {
        return mha.forward(0);
    }

    @TearDown
    public void tearDown() {
        mha.close();
    }
}
