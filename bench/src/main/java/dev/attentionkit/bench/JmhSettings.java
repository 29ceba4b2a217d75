package dev.attentionkit.bench;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * How every benchmark of a run is measured: single-shot calls (each is long: milliseconds to seconds),
 * a few warm-up calls, then {@code iterations} timed calls, in {@code forks} fresh JVMs (0 = in this JVM,
 * used by {@code --quick}). Off-heap limits are lifted because the plain form at 16 384 tokens allocates
 * more than the heap size that javacpp would otherwise allow.
 */
record JmhSettings(int warmup, int iterations, int forks) {

    static final String[] JVM_ARGS = {
        "-Xms1g", "-Xmx2g", "-Djava.awt.headless=true",
        "-Dorg.bytedeco.javacpp.maxbytes=0", "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"};

    ChainedOptionsBuilder options(Class<?> benchmark) {
        return new OptionsBuilder()
            .include("\\." + benchmark.getSimpleName() + "\\.")
            .mode(Mode.SingleShotTime)
            .timeUnit(TimeUnit.MILLISECONDS)
            .warmupIterations(warmup)
            .measurementIterations(iterations)
            .forks(forks)
            .jvmArgsAppend(JVM_ARGS)
            .shouldDoGC(true)
            .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT);
    }

    static Collection<RunResult> run(ChainedOptionsBuilder options) {
        try {
            return new Runner(options.build()).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
        }
    }

    /** Median of the timed calls, in ms. */
    static double medianMs(RunResult r) {
        return r.getPrimaryResult().getStatistics().getPercentile(50);
    }

    static double meanMs(RunResult r) {
        return r.getPrimaryResult().getStatistics().getMean();
    }

    static double minMs(RunResult r) {
        return r.getPrimaryResult().getStatistics().getMin();
    }
}
