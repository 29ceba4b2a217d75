package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misbehaving submissions get exactly the points they deserve, and every test is still reported. */
class RobustnessTest {
    private static final List<String> ADDER_TESTS =
            List.of("AdderTest#addsPositives", "AdderTest#addsNegatives", "AdderTest#addsZero", "AdderHiddenTest#millions");

    @Test
    void systemExitInAStaticInitializerFailsOnlyTheTestsThatTouchIt() {
        GradeReport r = Fixtures.report("exit-static");
        assertEquals(6, r.outcomes().size());
        assertEquals(4, r.score(), "Multiplier's tests still run in a fresh JVM");
        for (String t : ADDER_TESTS) {
            assertEquals("test JVM exited with status 0 during this test (System.exit?)", r.outcome(t).reason());
        }
    }

    @Test
    void endlessLoopIsKilledAndTheOtherTestsStillScore() {
        Grader g = Fixtures.grader().withLimits(Fixtures.grader().limits().withTestTimeout(Duration.ofSeconds(3)));
        long start = System.nanoTime();
        GradeReport r = g.grade(Fixtures.submission("infinite-loop"), null);
        assertEquals(11, r.score());
        assertEquals("timed out after 3 s (an endless loop? too slow?)", r.outcome("AdderTest#addsNegatives").reason());
        // Killed at the test's limit, not when the whole budget ran out (the bound leaves room for a loaded machine).
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertTrue(seconds < g.limits().totalTimeout().toSeconds() / 3, "grading took " + seconds + " s");
    }

    @Test
    void threadBombFailsThatTestOnlyAndTheGraderStaysIntact() {
        Grader g = Fixtures.grader().withLimits(Fixtures.grader().limits().withTestTimeout(Duration.ofSeconds(3)));
        long start = System.nanoTime();
        GradeReport r = g.grade(Fixtures.submission("thread-bomb"), null);
        // The process cap (or, as root, the timeout and the PID namespace) stops it; the other tests still score.
        assertEquals(11, r.score(), r.toString());
        assertTrue(!r.outcome("AdderTest#addsNegatives").passed());
        assertTrue(r.outcome("AdderTest#addsPositives").passed() && r.outcome("AdderTest#addsZero").passed(), r.toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60);
    }

    @Test
    void runningOutOfMemoryFailsThatTestOnly() {
        Grader g = Fixtures.grader().withLimits(Fixtures.grader().limits().withHeap("128m"));
        GradeReport r = g.grade(Fixtures.submission("out-of-memory"), null);
        assertEquals(9, r.score());
        assertEquals("ran out of memory (heap limit 128m)", r.outcome("AdderTest#addsZero").reason());
    }

    @Test
    void fakePassLinesAndFakeResultsJsonEarnNothing(@TempDir Path tmp) throws IOException {
        Path json = tmp.resolve("results.json");
        int rc = GradeMain.run(new String[] {"--kit-root", Fixtures.KIT.toString(), Fixtures.submission("forger").toString(),
                "--json", json.toString()}, quiet(), quiet());
        assertEquals(0, rc);
        JsonNode node = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, node.get("score").asInt(), "only 'multiplies by zero' (0 * 9 == 0) is deserved");
        assertEquals(6, node.get("tests").size());
        assertEquals("failed", node.get("tests").get(2).get("status").asText());
        try (Stream<Path> s = Files.walk(Fixtures.submission("forger"))) {
            assertTrue(s.noneMatch(p -> p.endsWith("results.json")), "nothing written into the submission");
        }
    }

    @Test
    void classesOutsideTheExercisePackagesAreRejected() {
        GradeReport r = Fixtures.report("shadow");
        assertEquals(2, r.score(), "the fake Assertions must not turn failures into passes");
        assertEquals(3, Fixtures.withoutRootNote(r.warnings()).size(), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Rejected org/junit/jupiter/api/Assertions.java: package 'org.junit.jupiter.api' is outside dev.attentionkit.exercises")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Rejected dev/attentionkit/grading/Points.java")));
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Rejected Helper.java: package '(default)'")));
    }

    @Test
    void hugeOutputIsTruncatedAndDoesNotBreakReporting() {
        GradeReport r = Fixtures.report("huge-output");
        assertEquals(12, r.score());
        TestOutcome o = r.outcome("AdderTest#addsZero");
        assertTrue(o.output().length() < 20_000, "kept " + o.output().length());
        assertTrue(o.output().contains("[output truncated: "), o.output().substring(o.output().length() - 200));
    }

    @Test
    void testsCannotReachTheNetworkOrReadSolutionsAndHiddenTests() throws IOException {
        try (ServerSocket server = new ServerSocket(47123, 50, InetAddress.getLoopbackAddress())) {
            GradeReport isolated = Fixtures.grader().grade(Fixtures.submission("snoop"), null);
            assumeTrue(isolated.warnings().stream().allMatch(Sandbox.ROOT_NPROC_WARNING::equals),
                    "sandbox unavailable here: " + isolated.warnings());
            assertEquals(12, isolated.score(), isolated.toString());
            // The same submission without the sandbox finds the solutions and the port: proof the fixture can tell.
            GradeReport open = Fixtures.grader().withLimits(Fixtures.grader().limits().withSandbox(false))
                    .grade(Fixtures.submission("snoop"), null);
            assertEquals(0, open.score(), open.toString());
        } catch (java.net.BindException e) {
            assumeTrue(false, "port 47123 busy");
        }
    }

    @Test
    void hangingClassSetUpFailsThatClassWhileParameterizedAndNestedTestsScore() {
        Grader g = Grader.forKit(Fixtures.ROOT.resolve("kit-setup")).withClassPath(Fixtures.KIT_CLASS_PATH)
                .withLimits(Limits.defaults().withTestTimeout(Duration.ofSeconds(2)))
                .withReferenceCheck(false);   // the set-up timeout is the layer under test (Thread.onSpinWait is a rule break)
        GradeReport r = g.grade(Fixtures.submission("setup-hang"), null);
        assertEquals(14, r.maxScore());
        assertEquals(3 + 6, r.score(), r.toString());
        assertTrue(r.outcome("NestedTest$Inner#inner").passed(), "@Nested graded tests are found and run");
        assertTrue(r.outcome("ParamTest#doubles").passed(), "all three invocations pass");
        assertEquals("expected: <10> but was: <11>", r.outcome("ParamTest#doublesMore").reason());
        for (String t : List.of("SetupTest#one", "SetupTest#two")) {
            assertEquals("test class set-up timed out after 4 s (static initialiser or @BeforeAll)", r.outcome(t).reason());
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void everyFixtureReportListsEveryTest() {
        for (String s : List.of("correct", "stub", "exit-static", "huge-output")) {
            GradeReport r = Fixtures.report(s);
            assertEquals(6, r.outcomes().size(), s);
            assertFalse(r.outcomes().stream().anyMatch(o -> o.reason().contains("internal grader error")), s);
        }
    }
}
