package dev.attentionkit.grading;

import java.time.Duration;

/**
 * Resource limits for the test JVM.
 *
 * @param testTimeout  wall-clock limit for one test method (the JVM is killed past it)
 * @param totalTimeout wall-clock limit for all test JVMs of one submission
 * @param heap         -Xmx of the test JVM, e.g. "1g"
 * @param stack        -Xss of the test JVM, e.g. "1m"
 * @param maxProcesses cap on processes/threads of the test JVM's user, where enforceable
 * @param sandbox      whether to isolate the test JVM (no network, private process tree)
 */
public record Limits(Duration testTimeout, Duration totalTimeout, String heap, String stack,
                     int maxProcesses, boolean sandbox) {

    /** Defaults suited to the course's ND4J exercises on a 2-core machine. */
    public static Limits defaults() {
        return new Limits(Duration.ofSeconds(20), Duration.ofMinutes(5), "1g", "2m", 512, true);
    }

    /** These limits with a different per-test timeout. */
    public Limits withTestTimeout(Duration d) {
        return new Limits(d, totalTimeout, heap, stack, maxProcesses, sandbox);
    }

    /** These limits with a different total timeout. */
    public Limits withTotalTimeout(Duration d) {
        return new Limits(testTimeout, d, heap, stack, maxProcesses, sandbox);
    }

    /** These limits with a different heap size. */
    public Limits withHeap(String h) {
        return new Limits(testTimeout, totalTimeout, h, stack, maxProcesses, sandbox);
    }

    /** These limits with sandboxing switched on or off. */
    public Limits withSandbox(boolean on) {
        return new Limits(testTimeout, totalTimeout, heap, stack, maxProcesses, on);
    }
}
