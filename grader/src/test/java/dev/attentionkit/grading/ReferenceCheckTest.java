package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    @ValueSource(strings = {"delegation", "test-helpers", "shadow-graded", "shadow-math"})
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
