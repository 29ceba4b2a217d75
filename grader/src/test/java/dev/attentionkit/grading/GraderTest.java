package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraderTest {
    /** 2 + 1 + 3 (ch01) + 2 + 2 (ch02) + 2 (hidden ch01). */
    private static final int MAX = 12;

    @Test
    void correctSubmissionEarnsEveryPoint() {
        GradeReport r = Fixtures.report("correct");
        assertEquals(MAX, r.maxScore());
        assertEquals(MAX, r.score());
        assertEquals(6, r.outcomes().size(), "5 visible + 1 hidden graded test; the test without @Points is not graded");
        assertTrue(r.outcomes().stream().allMatch(TestOutcome::passed));
        assertTrue(Fixtures.withoutRootNote(r.warnings()).isEmpty(), r.warnings().toString());
    }

    @Test
    void stubEarnsNothingAndSaysWhy() {
        GradeReport r = Fixtures.report("stub");
        assertEquals(0, r.score());
        assertEquals(MAX, r.maxScore());
        for (TestOutcome o : r.outcomes()) {
            assertFalse(o.passed());
            assertTrue(o.reason().startsWith("UnsupportedOperationException: TODO: exercise"), o.reason());
        }
        assertTrue(r.outcome("AdderTest#addsZero").reason().endsWith("(at Adder.java:9)"));
    }

    @Test
    void partialSubmissionEarnsExactlyWhatPasses() {
        GradeReport r = Fixtures.report("partial");
        assertEquals(2 + 3 + 2, r.score());
        TestOutcome neg = r.outcome("AdderTest#addsNegatives");
        assertFalse(neg.passed());
        assertEquals("-2 + -3 ==> expected: <-5> but was: <5>", neg.reason());
        assertTrue(r.outcome("AdderHiddenTest#millions").passed());
        assertEquals(0, r.outcome("MultiplierTest#small").score());
        String table = r.toString();
        assertTrue(table.contains("hint: Negative numbers add just like positive ones"), table);
        assertTrue(table.contains("Total: 5 / 10 points (visible tests)"), table);
        assertTrue(table.endsWith("3 test(s) to go. Next: \"adds two negative numbers\" (ch01 · AdderTest).\n"), table);
        assertTrue(Fixtures.report("correct").toString().endsWith("All shown tests pass. Well done!\n"));
    }

    @Test
    void compileErrorInOneFileFailsOnlyTheTestsThatNeedIt() {
        GradeReport r = Fixtures.report("broken-adder");
        assertEquals(4, r.score(), "Multiplier still compiles and earns its 4 points");
        for (String t : List.of("AdderTest#addsPositives", "AdderTest#addsNegatives", "AdderTest#addsZero", "AdderHiddenTest#millions")) {
            TestOutcome o = r.outcome(t);
            assertFalse(o.passed());
            assertEquals("your code does not compile: Adder.java:9: error: ';' expected", o.reason());
        }
        assertTrue(r.warnings().get(0).contains("Adder.java:9: error: ';' expected"), r.warnings().toString());
    }

    @Test
    void looseFilesThatDoNotCompileScoreZeroWithTheCompilerMessage() {
        GradeReport r = Fixtures.report("broken-loose");
        assertEquals(0, r.score());
        assertEquals(6, r.outcomes().size());
        assertTrue(r.outcome("MultiplierTest#small").reason().startsWith("your code does not compile: "));
        assertTrue(r.outcome("MultiplierTest#small").output().contains("Multiplier.java:9: error: illegal start of expression"),
                r.outcome("MultiplierTest#small").output());
    }

    @Test
    void testThatCannotCompileAgainstTheSubmissionFailsAlone() {
        GradeReport r = Fixtures.report("wrong-signature");
        assertEquals(4, r.score());
        TestOutcome o = r.outcome("AdderTest#addsZero");
        // The tests compile against the kit's signatures (the fixture kit's solutions), so the mismatch is named.
        assertEquals("does not match the exercise's signatures: your Adder does not declare static int add(int, int), as"
                + " the exercise does (yours: static java.lang.String add(java.lang.String, java.lang.String)); keep the"
                + " signatures of dev/attentionkit/exercises/ch01/Adder.java as given", o.reason());
    }

    @Test
    void chapterFilterGradesOneChapter() {
        GradeReport r = Fixtures.grader().grade(Fixtures.submission("correct"), "ch02");
        assertEquals(List.of("MultiplierTest#small", "MultiplierTest#zero"),
                r.outcomes().stream().map(o -> o.test().key().replace("dev.attentionkit.exercises.ch02.", "")).toList());
        assertEquals(4, r.score());
        assertEquals("multiplies small numbers", r.outcomes().get(0).test().displayName());
        GradingException e = assertThrows(GradingException.class,
                () -> Fixtures.grader().grade(Fixtures.submission("correct"), "ch09"));
        assertTrue(e.getMessage().contains("for chapter ch09"), e.getMessage());
    }

    @Test
    void missingOrEmptySubmissionIsAClearError() {
        Path missing = Fixtures.submission("does-not-exist");
        GradingException e = assertThrows(GradingException.class, () -> Fixtures.grader().grade(missing, null));
        assertEquals("Submission not found: " + missing, e.getMessage());
        Path empty = Fixtures.submission("empty");
        e = assertThrows(GradingException.class, () -> Fixtures.grader().grade(empty, null));
        assertTrue(e.getMessage().startsWith("No Java sources in " + empty), e.getMessage());
        GradeReport zero = Fixtures.grader().gradeOrZero(empty, null);
        assertEquals(0, zero.score());
        assertEquals(MAX, zero.maxScore());
    }

    @Test
    void gradescopeJsonHasTheSpecFields() throws IOException {
        JsonNode json = new ObjectMapper().readTree(Fixtures.report("partial").toGradescopeJson());
        assertEquals(7, json.get("score").asInt());
        assertEquals(6, json.get("tests").size());
        JsonNode neg = json.get("tests").get(1);
        assertAll(
                () -> assertEquals("ch01 · AdderTest: adds two negative numbers", neg.get("name").asText()),
                () -> assertEquals(0, neg.get("score").asInt()),
                () -> assertEquals(1, neg.get("max_score").asInt()),
                () -> assertEquals("failed", neg.get("status").asText()),
                () -> assertTrue(neg.get("output").asText().startsWith("-2 + -3 ==> expected: <-5> but was: <5>\nHint: ")),
                () -> assertEquals("visible", neg.get("visibility").asText()));
        JsonNode hidden = json.get("tests").get(3);
        assertEquals("ch01 · AdderHiddenTest: SECRET adds millions", hidden.get("name").asText());
        assertEquals("after_published", hidden.get("visibility").asText());
        assertEquals("passed", hidden.get("status").asText());
        assertEquals(2, hidden.get("score").asInt());
    }

    @Test
    void hiddenTestsAreWithheldFromLearnerFacingOutput() {
        GradeReport r = Fixtures.report("stub");
        assertFalse(r.toString().contains("SECRET"), r.toString());
        assertFalse(r.toHtml().contains("SECRET"));
        assertTrue(r.toString().contains("1 hidden test(s) worth 2 point(s): results withheld"));
        assertTrue(r.showingHidden(true).toString().contains("[hidden] SECRET adds millions"));
    }

    @Test
    void htmlShowsMarksPointsAndEscapedHints() {
        String html = Fixtures.report("partial").toHtml();
        assertTrue(html.startsWith("<div class=\"ak-grade\"><table"), html);
        assertTrue(html.contains("&#10004;") && html.contains("&#10008;"));
        assertTrue(html.contains("<td>0 / 1</td>"));
        assertTrue(html.contains("<code>-2 + -3 ==&gt; expected: &lt;-5&gt; but was: &lt;5&gt;</code>"), html);
        assertTrue(html.contains("<i>Hint: Negative numbers add just like positive ones: no Math.abs.</i>"));
        assertTrue(html.contains("<th>5 / 10</th>"));
    }

    @Test
    void hardLinksInAFolderOrAsTheZipAreRefusedNotFollowed(@TempDir Path tmp) throws IOException {
        // A classmate's correct answer and a secret of the grader's, outside the submission; the submission holds
        // hard links to both (same file system), named like its own sources.
        Path classmate = tmp.resolve("classmate/src/main/java/dev/attentionkit/exercises/ch02");
        Files.createDirectories(classmate);
        Files.copy(Fixtures.submission("correct").resolve("src/main/java/dev/attentionkit/exercises/ch02/Multiplier.java"),
                classmate.resolve("Multiplier.java"));
        Path secret = Files.writeString(tmp.resolve("grader-secret.txt"), "TOKEN-4f1d9e not java at all\n");
        Path mine = tmp.resolve("mine");
        BatchTestSupport.copy(Fixtures.submission("stub"), mine);
        Path ch02 = mine.resolve("src/main/java/dev/attentionkit/exercises/ch02");
        Files.delete(ch02.resolve("Multiplier.java"));
        Files.createLink(ch02.resolve("Multiplier.java"), classmate.resolve("Multiplier.java"));
        Files.createLink(ch02.resolve("Secret.java"), secret);

        GradeReport r = Fixtures.grader().grade(mine, null);
        assertEquals(0, r.outcome("MultiplierTest#small").score(), "the classmate's Multiplier must not be graded");
        String all = r.showingHidden(true).toString() + r.toGradescopeJson();
        assertFalse(all.contains("TOKEN-4f1d9e"), "the secret's content reached the report: " + all);
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Rejected dev/attentionkit/exercises/ch02/Multiplier.java: it is a"
                + " hard link (2 names for one file")), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("Rejected dev/attentionkit/exercises/ch02/Secret.java: it is a hard link")),
                r.warnings().toString());
        assertEquals("TOKEN-4f1d9e not java at all\n", Files.readString(secret), "the original is only read");

        // The same with the zip a batch would grade: a hard link to a classmate's zip is refused as a whole.
        Path zip = tmp.resolve("classmate.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("dev/attentionkit/exercises/ch02/Multiplier.java"));
            out.write(Files.readAllBytes(classmate.resolve("Multiplier.java")));
            out.closeEntry();
        }
        Path linkedZip = Files.createLink(tmp.resolve("mine.zip"), zip);
        GradingException e = assertThrows(GradingException.class, () -> Fixtures.grader().grade(linkedZip, null));
        assertTrue(e.getMessage().startsWith("Submission " + linkedZip + " is a hard link"), e.getMessage());
        assertEquals(0, Fixtures.grader().gradeOrZero(linkedZip, null).score());
    }

    @Test
    void submissionFolderIsLeftUntouched() throws IOException {
        Path dir = Fixtures.submission("correct");
        Map<String, Long> before = snapshot(dir);
        Fixtures.grader().grade(dir, "ch01");
        assertEquals(before, snapshot(dir));
    }

    private static Map<String, Long> snapshot(Path dir) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                m.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis() * 31 + Files.size(p));
            }
        }
        return m;
    }
}
