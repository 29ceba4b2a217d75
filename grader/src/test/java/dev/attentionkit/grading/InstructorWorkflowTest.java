package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instructor's workflow on the real kit, end to end: release the hand-out, collect an LMS's download of three
 * students' zips (Canvas and Moodle names), grade it with a roster, and check the gradebook and feedback against
 * grading each submission on its own. One chapter keeps it short.
 */
class InstructorWorkflowTest {
    private static final Path KIT = Path.of("..").toAbsolutePath().normalize();
    private static final String CHAPTER = "ch01";
    private static final String STUB_DIR = "src/main/java/dev/attentionkit/exercises/" + CHAPTER;

    @Test
    @DisplayName("release, an LMS export of three students, a roster with one who sent nothing: gradebook and feedback match grading each alone")
    void releaseCollectGradeAndFeedback(@TempDir Path tmp) throws Exception {
        // Release: every stub of exercises/, byte for byte, and the README; the same bytes twice; never overwritten.
        Path handOut = tmp.resolve("hand-out.zip");
        List<String> names = Release.write(KIT, handOut);
        Path stubs = KIT.resolve("exercises/src/main/java");
        List<String> expected = new ArrayList<>(List.of(Release.FOLDER + "/README.txt"));
        try (Stream<Path> s = Files.walk(stubs)) {
            s.filter(Files::isRegularFile).map(p -> Release.FOLDER + "/src/main/java/" + stubs.relativize(p).toString().replace('\\', '/'))
                    .sorted().forEach(expected::add);
        }
        assertEquals(expected, names);
        Path released = tmp.resolve("released");
        unzip(handOut, released);
        Path folder = released.resolve(Release.FOLDER);
        assertTrue(Files.readString(folder.resolve("README.txt")).contains("zip -r exercises.zip " + Release.FOLDER));
        Path oneStub = folder.resolve(STUB_DIR).resolve("AttentionScores.java");
        assertEquals(Files.readString(KIT.resolve("exercises").resolve(STUB_DIR).resolve("AttentionScores.java")), Files.readString(oneStub));
        Path again = tmp.resolve("again.zip");
        Release.write(KIT, again);
        assertArrayEquals(Files.readAllBytes(handOut), Files.readAllBytes(again), "the same stubs give the same zip");
        GradingException refused = assertThrows(GradingException.class, () -> Release.write(KIT, handOut));
        assertTrue(refused.getMessage().startsWith("Refusing to overwrite " + handOut), refused.getMessage());

        // Three students work on the released stubs: all of the reference solutions, nothing, one exercise.
        Path jane = tmp.resolve("work/jane");
        Path bob = tmp.resolve("work/bob");
        Path carol = tmp.resolve("work/carol");
        for (Path student : List.of(jane, bob, carol)) {
            BatchTestSupport.copy(folder, student);
        }
        Path solutions = KIT.resolve("solutions/src/main/java");
        try (Stream<Path> s = Files.walk(solutions)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.copy(p, jane.resolve("src/main/java").resolve(solutions.relativize(p).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(solutions.resolve("dev/attentionkit/exercises/" + CHAPTER + "/AttentionScores.java"),
                carol.resolve(STUB_DIR).resolve("AttentionScores.java"), StandardCopyOption.REPLACE_EXISTING);

        // The LMS's download: Canvas zips (one marked late) and a Moodle folder holding the zip.
        Path export = Files.createDirectories(tmp.resolve("export"));
        BatchTest.zip(jane, export.resolve("doejane_1001_5001_exercises.zip"), Release.FOLDER + "/");
        BatchTest.zip(bob, export.resolve("roebob_late_1002_5002_exercises.zip"), Release.FOLDER + "/");
        Path moodle = Files.createDirectories(export.resolve("Carol Lee_3003_assignsubmission_file_"));
        BatchTest.zip(carol, moodle.resolve("exercises.zip"), Release.FOLDER + "/");
        Path roster = tmp.resolve("roster.csv");
        Files.writeString(roster, "Student,ID,SIS User ID,SIS Login ID,Section\n\"Doe, Jane\",1001,S1001,jdoe,A\n"
                + "\"Roe, Bob\",1002,S1002,broe,A\n\"Lee, Carol\",1003,S1003,clee,A\n\"Nobody, Dan\",1004,S1004,dnobody,A\n");

        // Generous time limits: this test is about names, rows and columns, not about the limits (RobustnessTest),
        // and it shares the machine with the rest of the suite.
        Grader grader = Grader.forKit(KIT).withClassPath(Fixtures.KIT_CLASS_PATH).withSeed(20261201L)
                .withLimits(Limits.defaults().withTestTimeout(java.time.Duration.ofSeconds(120))
                        .withTotalTimeout(java.time.Duration.ofSeconds(900)));
        Batch.Summary s = new Batch(grader, CHAPTER, 2, Roster.read(roster))
                .run(export, tmp.resolve("results"), new PrintStream(OutputStream.nullOutputStream()));

        List<List<String>> csv = Files.readAllLines(s.gradebook()).stream().map(BatchTest::cells).toList();
        Map<String, Integer> exercises = new LinkedHashMap<>();
        for (GradedTest t : grader.tests(CHAPTER)) {
            exercises.merge(t.chapter() + " " + t.simpleClassName(), t.points(), Integer::sum);
        }
        List<String> header = new ArrayList<>(Batch.HEAD);
        exercises.forEach((e, max) -> header.add(e + " (/" + max + ")"));
        header.addAll(Batch.TAIL);
        assertEquals(header, csv.get(0));
        assertEquals(5, csv.size(), "one row per roster student: " + csv);
        int total = header.indexOf("Total");

        // What each should get, found without the batch: the reference solutions earn every point of every test and
        // the untouched stubs none (the graded tests' own contract, checked by ./kit test's grader stage); the partial
        // submission is graded on its own, as ./kit grade would, with the same seed.
        List<GradedTest> tests = grader.tests(CHAPTER);
        GradeReport janeAlone = new GradeReport(jane.toString(), tests.stream().map(t -> TestOutcome.pass(t, "")).toList(),
                List.of(), java.time.Duration.ZERO, false);
        GradeReport bobAlone = new GradeReport(bob.toString(), tests.stream().map(t -> TestOutcome.fail(t, "stub", "")).toList(),
                List.of(), java.time.Duration.ZERO, false);
        GradeReport carolAlone = grader.grade(carol, CHAPTER);
        assertTrue(carolAlone.score() > 0 && carolAlone.score() < carolAlone.maxScore(), carolAlone.toString());

        Path results = s.gradebook().getParent();
        assertRow(results, csv.get(1), List.of("Doe, Jane", "1001", "S1001", "jdoe"), exercises, janeAlone, "",
                "doejane_1001_5001_exercises.zip");
        assertRow(results, csv.get(2), List.of("Roe, Bob", "1002", "S1002", "broe"), exercises, bobAlone, "late (Canvas)",
                "roebob_late_1002_5002_exercises.zip");
        assertRow(results, csv.get(3), List.of("Lee, Carol", "1003", "S1003", "clee"), exercises, carolAlone, "",
                "Carol Lee_3003_assignsubmission_file_");
        List<String> dan = csv.get(4);
        assertEquals(List.of("Nobody, Dan", "1004", "S1004", "dnobody"), dan.subList(0, 4));
        assertTrue(dan.subList(4, total + 1).stream().allMatch("0"::equals), dan.toString());
        assertEquals(String.valueOf(janeAlone.maxScore()), dan.get(total + 1));
        assertEquals("no submission", dan.get(total + 2));
        assertEquals("", dan.get(header.indexOf("Feedback")), "nothing to give feedback on");

        // Feedback per student, under a name from the parsed student, naming exactly their failures.
        int fb = header.indexOf("Feedback");
        assertEquals(3, csv.subList(1, 4).stream().map(r -> r.get(fb)).distinct().count());
        Map<List<String>, GradeReport> graded = Map.of(csv.get(1), janeAlone, csv.get(2), bobAlone, csv.get(3), carolAlone);
        for (Map.Entry<List<String>, GradeReport> e : graded.entrySet()) {
            String feedback = e.getKey().get(fb);
            assertTrue(feedback.matches("feedback/[A-Za-z0-9._@-]+\\.txt"), feedback);
            String text = Files.readString(s.gradebook().resolveSibling(feedback));
            for (TestOutcome o : e.getValue().outcomes()) {
                if (!o.test().hidden()) {
                    String name = o.test().displayName().substring(0, Math.min(40, o.test().displayName().length()));
                    assertTrue(text.contains((o.passed() ? "PASS " : "FAIL ") + name), feedback + " should say " + name + ":\n" + text);
                }
            }
            assertTrue(Files.isRegularFile(s.gradebook().resolveSibling(feedback.replace(".txt", ".json"))));
        }
    }

    private static void assertRow(Path results, List<String> row, List<String> who, Map<String, Integer> exercises,
                                  GradeReport alone, String problem, String file) throws IOException {
        assertEquals(who, row.subList(0, 4), row.toString());
        Map<String, Integer> earned = new LinkedHashMap<>();
        exercises.keySet().forEach(e -> earned.put(e, 0));
        for (TestOutcome o : alone.outcomes()) {
            earned.merge(o.test().chapter() + " " + o.test().simpleClassName(), o.score(), Integer::sum);
        }
        List<String> want = new ArrayList<>(earned.values().stream().map(String::valueOf).toList());
        want.addAll(List.of(String.valueOf(alone.score()), String.valueOf(alone.maxScore()), problem));
        int from = 4;
        String feedback = row.get(row.size() - 1);
        assertEquals(want, row.subList(from, from + want.size()), row + "\n" + (feedback.isEmpty() ? ""
                : Files.readString(results.resolve(feedback))));
        assertEquals(file, row.get(from + want.size() + 1), row.toString());
    }

    private static void unzip(Path zip, Path dest) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path out = dest.resolve(e.getName()).normalize();
                assertTrue(out.startsWith(dest), e.getName());
                Files.createDirectories(out.getParent());
                Files.copy(in, out);
            }
        }
    }
}
