package dev.attentionkit.bench;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How every benchmark of a run is measured: a few warm-up iterations, then {@code iterations} timed ones,
 * in {@code forks} fresh JVMs (0 = in this JVM, used by {@code --quick}). An iteration is one call
 * (single-shot, for the headline's second-long calls) or, {@code timeBoxed}, as many calls as fit in one
 * second, averaged (for the scaling study, whose calls range from a millisecond to seconds). Off-heap limits are lifted because the plain form at 16 384 tokens allocates
 * more than the heap size that javacpp would otherwise allow.
 */
record JmhSettings(int warmup, int iterations, int forks, boolean timeBoxed) {

    /** Single-shot settings: each iteration is exactly one call. */
    JmhSettings(int warmup, int iterations, int forks) {
        this(warmup, iterations, forks, false);
    }

    static final String[] JVM_ARGS = {
        "-Xms1g", "-Xmx2g", "-Djava.awt.headless=true", "--add-modules", "jdk.incubator.vector",
        "-Dorg.bytedeco.javacpp.maxbytes=0", "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"};

    ChainedOptionsBuilder options(Class<?> benchmark) {
        ChainedOptionsBuilder o = new OptionsBuilder()
            .include("\\." + benchmark.getSimpleName() + "\\.")
            .timeUnit(TimeUnit.MILLISECONDS);
        // Time-boxed iterations (1 s of repeated calls, at least one call) average away the noise of calls
        // that take a millisecond; single-shot is enough when each call takes seconds.
        o = timeBoxed
            ? o.mode(Mode.AverageTime).warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1))
            : o.mode(Mode.SingleShotTime);
        return o
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
