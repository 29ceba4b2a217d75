package dev.attentionkit.bench;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One training step (forward + backward) of a {@link TrainingSteps} entry. */
@State(Scope.Benchmark)
public class TrainingBenchmark {
    @Param("mha")
    public String step;
    @Param("false")
    public boolean quick;

    private TrainingSteps.Step run;

    @Setup
    public void setUp() {
        run = TrainingSteps.build(step, quick ? TrainingSteps.QUICK : TrainingSteps.TRAIN);
    }

    @Benchmark
    public Map<String, INDArray> trainingStep() {
        return run.get();
    }
}
