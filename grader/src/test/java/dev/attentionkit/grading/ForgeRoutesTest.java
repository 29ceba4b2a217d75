package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes by which a submission used to get a verdict out of the sandboxed JVM, where code reading its own
 * memory forges results, closed: the kit's real graded tests against {@code src/test/resources/forge-routes}
 * (the kit's stubs, plus a forger, {@code forge/Forge.java}, called from 2.1, 2.2, 4.3, 7.2, 7.4 and 9.2), graded
 * by the real grader with the bytecode rules off (they would stop the forger first: files, {@code Runtime}), so
 * that only the judge/host split stands in the way.
 *
 * <ul>
 *   <li>2.2 and 4.3 pass kit modules: these now cross by value ({@code runner.KitModules}), so the tests are
 *       judged outside and the forger only kills its own host;</li>
 *   <li>7.2 and 9.2 declared as interfaces, 2.1 with a constructor widened to {@code Object}: the tests are
 *       compiled against the kit's signatures, so the route does not move them inside; they fail, naming the
 *       declaration the submission changed;</li>
 *   <li>7.4 passes SameDiff variables: they cross by value and the submission's graph comes back as a list of
 *       operations that the judge rebuilds itself ({@code runner.Graphs}), so 7.4 is judged outside too.</li>
 * </ul>
 * The same submission with {@code --no-sandbox} (tests and submission in one JVM) forges passes: the fixture
 * really attacks.
 */
class ForgeRoutesTest {
    static final Path FIXTURE = Path.of("src/test/resources/forge-routes/src/main/java").toAbsolutePath();

    private static Path submission(Path tmp) throws IOException {
        Path src = tmp.resolve("forger/src/main/java");
        BatchTestSupport.copy(WrongCodeTest.KIT.resolve("exercises/src/main/java"), src);
        try (Stream<Path> s = Files.walk(FIXTURE)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Path t = src.resolve(FIXTURE.relativize(f).toString());
                Files.createDirectories(t.getParent());
                Files.copy(f, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return tmp.resolve("forger");
    }

    private static int points(GradeReport r, String testClass) {
        return r.outcomes().stream().filter(o -> o.test().className().endsWith("." + testClass))
                .mapToInt(TestOutcome::score).sum();
    }

    @Test
    void noRouteGetsAVerdictFromTheSandboxedJvm(@TempDir Path tmp) throws IOException {
        assumeTrue(Sandbox.probe().mode() == Sandbox.Mode.BWRAP_OTHER_UID || Sandbox.probe().mode() == Sandbox.Mode.BWRAP_SELF,
                "bubblewrap is not usable here (" + Sandbox.probe() + ")");
        Path sub = submission(tmp);
        Grader noRules = WrongCodeTest.kitGrader().withReferenceCheck(false);

        GradeReport r = noRules.grade(sub, null);
        for (String c : List.of("WeightTransferTest", "WrapperToMultiHeadTest", "DecoderStepTest", "OnlineSoftmaxUpdateTest",
                "SameDiffAttentionTest", "MySelfAttentionV1Test")) {
            assertEquals(0, points(r, c), c + " earned points: " + r);
        }
        assertEquals(Isolation.JUDGED, r.isolation().verdicts(), "no test class runs inside, whatever the submission declares");
        assertTrue(r.outcome("DecoderStepTest#luong").reason().startsWith("does not match the exercise's signatures:"
                + " DecoderStep must be a class, as in the exercise (yours is an interface)"), r.outcome("DecoderStepTest#luong").reason());
        assertTrue(r.outcome("OnlineSoftmaxUpdateTest#firstBlock").reason().contains("OnlineSoftmaxUpdate must be a class"));
        String widened = r.outcome("MySelfAttentionV1Test#bookOutput").reason();
        assertTrue(widened.startsWith("does not match the exercise's signatures: your MySelfAttentionV1 does not declare"
                + " constructor MySelfAttentionV1(org.nd4j.linalg.api.ndarray.INDArray, org.nd4j.linalg.api.ndarray.INDArray,"
                + " org.nd4j.linalg.api.ndarray.INDArray), as the exercise does (yours: constructor"
                + " MySelfAttentionV1(java.lang.Object, "), widened);
        assertFalse(r.outcome("WeightTransferTest#bookV2").passed());

        // Tests and submission in one JVM (chapter 2 only, to keep it short): the forger earns 2.2's points.
        // Its scan of the JVM's memory (ND4J loaded) takes a while on a loaded machine: a generous test limit.
        GradeReport open = noRules.withLimits(noRules.limits().withSandbox(false).withTestTimeout(java.time.Duration.ofSeconds(120)))
                .grade(sub, "ch02");
        assertTrue(points(open, "WeightTransferTest") > 0,
                "the fixture did not forge: " + open);
    }
}
