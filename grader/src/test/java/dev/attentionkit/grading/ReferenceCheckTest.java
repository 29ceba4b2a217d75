package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bytecode rules of {@link ReferenceCheck} on the kit's real graded tests: submissions that delegate to the
 * kit, call the tests' reference helpers by reflection or shadow the tests' classes
 * (src/test/resources/rule-breaking, each file saying what it does in a {@code BREAKS THE RULES} comment) earn 0
 * for those exercises, and the failure names the file and line.
 */
class ReferenceCheckTest {
    static final Path FIXTURES = Path.of("src/test/resources/rule-breaking").toAbsolutePath();
    private static final Pattern MARKER = Pattern.compile("// BREAKS THE RULES \\(grader fixture\\): (.*)");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delegation", "test-helpers", "shadow-graded", "shadow-math", "fixture-calls", "shadow-fixtures"})
    void ruleBreakingExercisesScoreZeroWithFileAndLine(String set) {
        Map<String, String> targeted = WrongCodeTest.targets(FIXTURES.resolve(set), MARKER);
        assertFalse(targeted.isEmpty());
        GradeReport report = WrongCodeTest.kitGrader().grade(FIXTURES.resolve(set), null);
        Map<String, int[]> points = WrongCodeTest.perExercise(report);
        List<String> problems = new ArrayList<>();
        StringBuilder table = new StringBuilder("rule-breaking/" + set + ":\n");
        targeted.forEach((exercise, what) -> {
            int[] p = points.get(exercise);
            table.append(String.format("  %-5s %d / %d  %s%n", exercise, p[0], p[1], what));
            if (p[0] != 0) {
                problems.add(exercise + " (" + what + ") earned " + p[0] + " / " + p[1]);
            }
            List<TestOutcome> outcomes = report.outcomes().stream()
                    .filter(o -> o.test().exercise().startsWith(exercise + " ")).toList();
            for (TestOutcome o : outcomes) {
                if (!(o.reason().startsWith("scores 0: ") && o.reason().matches(".*\\.java line \\d+ .*|.*\\.java declares .*"))) {
                    problems.add(exercise + ": " + o.test().displayName() + " failed for another reason: " + o.reason());
                }
            }
        });
        System.out.print(table);
        assertEquals(List.of(), problems, report.toString());
    }

    @Test
    void theReasonNamesTheCallTheFileAndTheLine() {
        GradeReport report = WrongCodeTest.kitGrader().grade(FIXTURES.resolve("delegation"), "ch01");
        TestOutcome o = report.outcomes().get(0);
        assertEquals("scores 0: dev/attentionkit/exercises/ch01/SoftmaxWeights.java line 11 calls "
                + "dev.attentionkit.tensor.Softmax.lastAxis: exercise 1.2 may not use dev.attentionkit.tensor.Softmax, "
                + "the kit's own implementation of what it asks for",
                report.outcome("SoftmaxWeightsTest#bookWeights").reason());
        assertTrue(report.warnings().stream().anyMatch(w -> w.startsWith("ch01 · 1.2 Softmax attention weights scores 0: ")),
                report.warnings().toString());
        assertFalse(o.reason().isEmpty());
    }

    @Test
    void callingTheTestsFixturesScoresZeroAtTwoLayersThoughItWouldPassWithoutThem() {
        // The fixture module (testkit) travels on the class path wherever graded tests run, so exercise code can
        // compile against it; its references compute exactly what the tests expect. The rule stops the call first...
        GradeReport ruled = WrongCodeTest.kitGrader().grade(FIXTURES.resolve("fixture-calls"), "ch02");
        assertEquals("scores 0: dev/attentionkit/exercises/ch02/MySelfAttentionV1.java line 20 calls "
                + "dev.attentionkit.testkit.Loops.selfAttention: not allowed in exercise code (the graded tests' fixtures: "
                + "their plain-loop references compute the answers the tests expect)",
                ruled.outcome("MySelfAttentionV1Test#bookOutput").reason());
        // ... without the rule, the sandboxed host that runs the submission has no testkit on its class path...
        Grader noRules = WrongCodeTest.kitGrader().withReferenceCheck(false);
        GradeReport hosted = noRules.grade(FIXTURES.resolve("fixture-calls"), "ch02");
        TestOutcome o = hosted.outcome("MySelfAttentionV1Test#bookOutput");
        assertFalse(o.passed(), hosted.toString());
        assertTrue((o.reason() + o.output()).contains("NoClassDefFoundError") && (o.reason() + o.output()).contains("testkit"),
                o.reason() + "\n" + o.output());
        // ... and where tests and submission share one JVM (--no-sandbox) the same submission earns every point of 2.1:
        // the two layers are what stop it.
        GradeReport open = noRules.withLimits(noRules.limits().withSandbox(false)).grade(FIXTURES.resolve("fixture-calls"), "ch02");
        int[] points = WrongCodeTest.perExercise(open).get("2.1");
        assertEquals(points[1], points[0], "2.1 with neither layer:\n" + open);
    }

    @Test
    void aSubmittedFixtureClassIsRefusedAndItsNameInTheTestsPackageScoresZero() {
        GradeReport report = WrongCodeTest.kitGrader().grade(FIXTURES.resolve("shadow-fixtures"), "ch01");
        assertTrue(report.warnings().stream().anyMatch(w -> w.startsWith("Rejected dev/attentionkit/testkit/Check.java: "
                + "package 'dev.attentionkit.testkit' is outside dev.attentionkit.exercises")), report.warnings().toString());
        assertEquals("scores 0: dev/attentionkit/exercises/ch01/Check.java declares a class named Check, like the graded "
                + "tests' fixture dev.attentionkit.testkit.Check: it could replace what the tests call",
                report.outcome("AttentionScoresTest#bookScores").reason());
    }

    @Test
    void theGraderPassesItsRunSeedUnderThePropertyTheFixturesRead() {
        // GradedSeed (grader) and Seeded (testkit) cannot share the constant: testkit depends on nothing of the kit.
        assertEquals(GradedSeed.PROPERTY, dev.attentionkit.testkit.Seeded.SEED_PROPERTY);
    }

    @Test
    void theFixtureNamesComeFromTheClassPath() {
        // Surefire's class path holds the testkit module (a runtime dependency of the grader), as runtime-classpath.txt does.
        Set<String> names = ReferenceCheck.fixtureNames(Grader.currentClassPath());
        assertTrue(names.containsAll(Set.of("Loops", "Check", "Seeded", "Values", "Book")), names.toString());
        assertFalse(names.stream().anyMatch(n -> n.contains("$")), names.toString());
    }

    @Test
    void heldByTheReferenceSolutionsOnlyWhereTheyAreRight() {
        // The reference solutions break no rule: the check charges none of their exercises (WrongCodeTest grades
        // them to every point); and the check sees through helpers: 4.2 of the delegation set, which is right and
        // uses no reflection, keeps its points while 4.1 beside it in the same class scores 0.
        GradeReport report = WrongCodeTest.kitGrader().grade(FIXTURES.resolve("delegation"), "ch04");
        Map<String, int[]> points = WrongCodeTest.perExercise(report);
        assertEquals(points.get("4.2")[1], points.get("4.2")[0], report.toString());
        assertEquals(0, points.get("4.1")[0], report.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exit-static", "thread-bomb", "huge-output", "snoop", "forger"})
    void runtimeAttacksStopAtTheBytecodeFirst(String fixture) {
        // These fixtures test the layers behind the rules (Fixtures.grader() grades them with the rules off); as
        // production grades, the rules stop each before it runs, with the file and line.
        GradeReport report = Fixtures.withRules().grade(Fixtures.submission(fixture), null);
        List<TestOutcome> adder = report.outcomes().stream().filter(o -> o.test().group().equals("ch01 · AdderTest")).toList();
        assertFalse(adder.isEmpty());
        for (TestOutcome o : adder) {
            assertFalse(o.passed(), o.toString());
            assertTrue(o.reason().matches("scores 0: dev/attentionkit/exercises/ch01/Adder\\.java line \\d+ .*: not allowed in exercise code \\(.*"),
                    o.reason());
        }
    }
}
