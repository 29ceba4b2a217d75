package dev.attentionkit.grading;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Fixture kit and submissions under src/test/resources/fixtures; each submission is graded once per test run. */
final class Fixtures {
    static final Path ROOT = Path.of("src/test/resources/fixtures").toAbsolutePath();
    static final Path KIT = ROOT.resolve("kit");
    private static final Map<String, CompletableFuture<GradeReport>> CACHE = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    static Path submission(String name) {
        return ROOT.resolve("submissions").resolve(name);
    }

    /** The kit class path as production has it: no test classes (they hold copies of the fixtures) or surefire jars. */
    static final List<Path> KIT_CLASS_PATH = Grader.currentClassPath().stream()
            .filter(p -> !p.endsWith("test-classes") && !p.toString().contains("surefire")).toList();

    /**
     * The grader for the fixture kit. The bytecode rules are off here: these fixtures test the layers behind them
     * (limits, sandbox, result frames), which the rules would otherwise stop first (ReferenceCheckTest shows that
     * they do).
     */
    static Grader grader() {
        return withRules().withReferenceCheck(false);
    }

    /** {@link #grader()} with the bytecode rules on, as production grades. */
    static Grader withRules() {
        return Grader.forKit(KIT).withClassPath(KIT_CLASS_PATH)
                .withLimits(Limits.defaults().withTestTimeout(Duration.ofSeconds(8)));
    }

    /** The report for fixture submission {@code name}, graded once. */
    static GradeReport report(String name) {
        CompletableFuture<GradeReport> mine = new CompletableFuture<>();
        CompletableFuture<GradeReport> f = CACHE.putIfAbsent(name, mine);
        if (f == null) {
            try {
                mine.complete(grader().grade(submission(name), null));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            }
            f = mine;
        }
        return f.join();
    }

    /** The warnings other than the note that the process cap does not bind root (the grader's tests may run as root). */
    static java.util.List<String> withoutRootNote(java.util.List<String> warnings) {
        return warnings.stream().filter(w -> !w.equals(Sandbox.ROOT_NPROC_WARNING)).toList();
    }
}
