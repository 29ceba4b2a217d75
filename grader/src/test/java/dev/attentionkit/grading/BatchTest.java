package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchTest {
    @Test
    void gradesFoldersAndZipsInParallelAndSurvivesBrokenOnes(@TempDir Path tmp) throws IOException {
        Path in = tmp.resolve("submissions");
        Files.createDirectories(in);
        BatchTestSupport.copy(Fixtures.submission("correct"), in.resolve("alice"));
        zip(Fixtures.submission("partial"), in.resolve("bob.zip"), "bob-workspace/");
        BatchTestSupport.copy(Fixtures.submission("broken-loose"), in.resolve("carol"));
        BatchTestSupport.copy(Fixtures.submission("empty"), in.resolve("dave"));
        Files.writeString(in.resolve("=eve.zip"), "this is not a zip");
        Path out = tmp.resolve("results");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        Batch.Summary s = new Batch(Fixtures.grader(), null, 2).run(in, out, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertEquals(5, s.graded());
        List<String> csv = Files.readAllLines(s.gradebook());
        assertEquals("Student,ID,SIS User ID,SIS Login ID,ch01 AdderTest (/6),ch01 AdderHiddenTest (/2),ch02 MultiplierTest (/4),"
                + "Total,Max,Problem,LMS,Submission,Feedback", csv.get(0));
        assertTrue(csv.get(1).matches("'=eve,,,,0,0,0,0,12,\"Not a zip file, or an empty one: " + java.util.regex.Pattern.quote(in.resolve("=eve.zip").toString())
                + "\",,'=eve.zip,feedback/_eve-[0-9a-f]{8}.txt"), csv.get(1));
        assertEquals("alice,,,,6,2,4,12,12,,,alice,feedback/alice.txt", csv.get(2));
        assertEquals("bob,,,,5,2,0,7,12,,,bob.zip,feedback/bob.txt", csv.get(3));
        assertEquals("carol,,,,0,0,0,0,12,,,carol,feedback/carol.txt", csv.get(4));
        assertTrue(csv.get(5).startsWith("dave,,,,0,0,0,0,12,No Java sources in "), csv.get(5));
        String bobText = Files.readString(s.feedbackDir().resolve("bob.txt"));
        assertTrue(bobText.contains("FAIL adds two negative numbers") && !bobText.contains("SECRET"), bobText);
        try (Stream<Path> f = Files.list(s.feedbackDir())) {
            Path eve = f.filter(p -> p.getFileName().toString().matches("_eve-[0-9a-f]{8}\\.json")).findFirst().orElseThrow();
            assertTrue(Files.readString(eve).contains("\"score\" : 0"));
        }
        assertTrue(progress.toString().contains("[##############################] 5/5 graded"), progress.toString());

        GradingException e = assertThrows(GradingException.class,
                () -> new Batch(Fixtures.grader(), null, 2).run(in, out, new PrintStream(OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
    }

    @Test
    void oneRowPerStudentOfTheRosterWithTheLatestAttemptGradedAndStrangersFlagged(@TempDir Path tmp) throws IOException {
        Path in = Files.createDirectories(tmp.resolve("export"));
        zip(Fixtures.submission("correct"), in.resolve("smith_alice_111_901_exercises.zip"), "");
        String older = "Exercises_bjones_attempt_2026-12-01-10-00-00";
        String newer = "Exercises_bjones_attempt_2026-12-02-10-00-00";
        zip(Fixtures.submission("correct"), in.resolve(older + "_exercises.zip"), "");
        zip(Fixtures.submission("partial"), in.resolve(newer + "_exercises.zip"), "ws/");
        Files.writeString(in.resolve(older + ".txt"), "Name: Bob Jones (bjones)\n");
        Files.writeString(in.resolve(newer + ".txt"), "Name: Bob Jones (bjones)\n");
        Path carol = Files.createDirectories(in.resolve("Carol White_77_assignsubmission_file_"));
        zip(Fixtures.submission("partial"), carol.resolve("my work.zip"), "");
        zip(Fixtures.submission("correct"), in.resolve("mallory_late_999_902_exercises.zip"), "");
        Path roster = tmp.resolve("roster.csv");
        Files.writeString(roster, "Student,ID,SIS User ID,SIS Login ID\n\"Smith, Alice\",111,A-1,asmith\n"
                + "Bob Jones,222,B-2,bjones\nCarol White,333,,\nDan Absent,444,D-4,dabsent\n");

        Batch.Summary s = new Batch(Fixtures.grader(), null, 2, Roster.read(roster))
                .run(in, tmp.resolve("results"), new PrintStream(OutputStream.nullOutputStream()));

        assertEquals(4, s.graded(), "the older Blackboard attempt is not graded");
        assertEquals(5, s.rows());
        List<List<String>> csv = Files.readAllLines(s.gradebook()).stream().map(BatchTest::cells).toList();
        assertEquals(List.of("Student", "ID", "SIS User ID", "SIS Login ID", "ch01 AdderTest (/6)", "ch01 AdderHiddenTest (/2)",
                "ch02 MultiplierTest (/4)", "Total", "Max", "Problem", "LMS", "Submission", "Feedback"), csv.get(0));
        GradeReport correct = Fixtures.report("correct");
        GradeReport partial = Fixtures.report("partial");
        assertRow(csv.get(1), List.of("Smith, Alice", "111", "A-1", "asmith"), correct, "", "Canvas", "smith_alice_111_901_exercises.zip");
        assertRow(csv.get(2), List.of("Bob Jones", "222", "B-2", "bjones"), partial,
                "2 submissions from this student; graded the latest, " + newer + "_exercises.zip (not graded: " + older + "_exercises.zip)",
                "Blackboard", newer + "_exercises.zip");
        assertRow(csv.get(3), List.of("Carol White", "333", "", ""), partial, "", "Moodle", "Carol White_77_assignsubmission_file_");
        assertEquals(List.of("Dan Absent", "444", "D-4", "dabsent", "0", "0", "0", "0", String.valueOf(correct.maxScore()),
                "no submission", "", "", ""), csv.get(4));
        assertRow(csv.get(5), List.of("mallory", "999", "", ""), correct, "not on the roster; late (Canvas)", "Canvas",
                "mallory_late_999_902_exercises.zip");
        for (List<String> row : csv.subList(1, 6)) {
            if (!row.get(12).isEmpty()) {
                assertTrue(Files.isRegularFile(s.feedbackDir().resolveSibling(row.get(12))), row.toString());
            }
        }
        assertTrue(Files.readString(s.feedbackDir().resolveSibling(csv.get(2).get(12))).contains("FAIL adds two negative numbers"));
    }

    /** Checks a graded row against the report of the same submission graded on its own. */
    private static void assertRow(List<String> row, List<String> who, GradeReport expected, String problem, String lms, String file) {
        assertEquals(who, row.subList(0, 4), row.toString());
        java.util.Map<String, Integer> byClass = new java.util.LinkedHashMap<>();
        for (TestOutcome o : expected.outcomes()) {
            byClass.merge(o.test().simpleClassName(), o.score(), Integer::sum);
        }
        assertEquals(List.of(String.valueOf(byClass.get("AdderTest")), String.valueOf(byClass.get("AdderHiddenTest")),
                String.valueOf(byClass.get("MultiplierTest")), String.valueOf(expected.score()), String.valueOf(expected.maxScore()),
                problem, lms, file), row.subList(4, 12), row.toString());
    }

    /** One CSV line's cells (the gradebook quotes a cell with a comma or a quote). */
    static List<String> cells(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cell.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
        return out;
    }

    static void zip(Path from, Path zip, String prefix) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                z.putNextEntry(new ZipEntry(prefix + from.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }
}
