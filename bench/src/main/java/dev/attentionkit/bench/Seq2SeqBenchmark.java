package dev.attentionkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One training step (loss and every gradient, float64) of chapter 07's Bahdanau model: {@link Seq2SeqStep}. */
@State(Scope.Benchmark)
public class Seq2SeqBenchmark {
    private Seq2SeqStep step;

    @Setup
    public void setUp() {
        step = new Seq2SeqStep();
    }

    @Benchmark
    public double trainingStep() {
        return step.run();
    }
}
