package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's real graded tests against plausibly wrong implementations (src/test/resources/wrong-code): every
 * exercise a fixture gets wrong must earn less than its full points, and the reference solutions every point.
 *
 * <p>Each fixture set is one submission holding one wrong class per exercise it targets, graded in one run of
 * the real grader (so a set costs one test JVM, not one per mistake). What a fixture gets wrong is written in
 * its first comment, {@code // WRONG ON PURPOSE (grader fixture): 3.1 ...; 3.2 ...}: the exercises named there
 * are the ones that must lose points. Each run prints the points per exercise, for the record.
 */
class WrongCodeTest {
    static final Path KIT = Path.of("").toAbsolutePath().getParent();
    static final Path FIXTURES = Path.of("src/test/resources/wrong-code").toAbsolutePath();
    private static final Pattern WRONG = Pattern.compile("// WRONG ON PURPOSE \\(grader fixture\\): (.*)");
    private static final Pattern EXERCISE = Pattern.compile("(?:^|; )(\\d+\\.\\d+) ([^;]*)");

    static Grader kitGrader() {
        return Grader.forKit(KIT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plausible", "do-nothing", "always-throws"})
    void everyWrongExerciseLosesPoints(String set) {
        Map<String, String> targeted = targets(FIXTURES.resolve(set));
        assertFalse(targeted.isEmpty(), "no WRONG ON PURPOSE fixtures in " + set);
        GradeReport report = kitGrader().grade(FIXTURES.resolve(set), null);
        Map<String, int[]> points = perExercise(report);
        List<String> fullMarks = new ArrayList<>();
        StringBuilder table = new StringBuilder("wrong-code/" + set + " (seed " + report.seed() + "):\n");
        targeted.forEach((exercise, why) -> {
            int[] p = points.get(exercise);
            assertTrue(p != null, "no graded tests for exercise " + exercise + " (fixture: " + why + ")");
            table.append(String.format(Locale.ROOT, "  %-5s %d / %d  %s%n", exercise, p[0], p[1], why));
            if (p[0] >= p[1]) {
                fullMarks.add(exercise + " (" + why + ") earned " + p[0] + " / " + p[1]);
            }
        });
        System.out.print(table);
        assertEquals(List.of(), fullMarks, "wrong implementations earned full points:\n" + report);
    }

    @Test
    void referenceSolutionsEarnEveryPoint() {
        GradeReport report = kitGrader().grade(KIT.resolve("solutions"), null);
        assertEquals(report.maxScore(), report.score(), report.toString());
        assertEquals(32, perExercise(report).size(), "the README's table lists 32 exercises");
    }

    /** Points earned and possible per exercise number ("1.2"), from the tests' exercise names. */
    static Map<String, int[]> perExercise(GradeReport report) {
        Map<String, int[]> points = new TreeMap<>();
        for (TestOutcome o : report.outcomes()) {
            String exercise = o.test().exercise().split(" ", 2)[0];
            int[] p = points.computeIfAbsent(exercise, e -> new int[2]);
            p[0] += o.score();
            p[1] += o.test().points();
        }
        return points;
    }

    /** Exercise number → what its fixture gets wrong, from the fixtures' WRONG ON PURPOSE comments. */
    static Map<String, String> targets(Path set) {
        return targets(set, WRONG);
    }

    /** Exercise number → what its fixture does, from the comments {@code marker} matches in the fixtures. */
    static Map<String, String> targets(Path set, Pattern marker) {
        Map<String, String> targets = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(set)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = marker.matcher(Files.readString(f));
                assertTrue(m.find(), f + " has no " + marker + " comment");
                Matcher e = EXERCISE.matcher(m.group(1));
                while (e.find()) {
                    targets.put(e.group(1), e.group(2).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }
}
