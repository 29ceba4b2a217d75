package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instructor's workflow for hidden tests: a folder kept outside the students' copy of the kit, passed with
 * {@code --hidden-tests DIR}, counts in {@code --batch} and in the Gradescope zip, while what a student sees names
 * none of its tests or messages.
 */
class HiddenTestsTest {
    private static final Path INSTRUCTOR = Fixtures.ROOT.resolve("instructor-hidden");

    private static Grader withInstructorTests() {
        return Fixtures.grader().withTests(Fixtures.KIT.resolve("graded/src/test/java"), INSTRUCTOR);
    }

    @Test
    void batchCountsTheInstructorsTestsAndShowsNoneOfThem(@TempDir Path tmp) throws IOException {
        Path in = tmp.resolve("submissions");
        BatchTestSupport.copy(Fixtures.submission("correct"), in.resolve("alice"));
        BatchTestSupport.copy(Fixtures.submission("partial"), in.resolve("bob"));
        Batch.Summary s = new Batch(withInstructorTests(), null, 2)
                .run(in, tmp.resolve("results"), new PrintStream(OutputStream.nullOutputStream()));
        List<String> csv = Files.readAllLines(s.gradebook());
        assertEquals("Student,ID,SIS User ID,SIS Login ID,ch01 AdderTest (/6),ch01 AdderInstructorTest (/3),ch02 MultiplierTest (/4),"
                + "Total,Max,Problem,LMS,Submission,Feedback", csv.get(0), "the kit's own hidden folder is replaced by the instructor's");
        assertEquals("alice,,,,6,3,4,13,13,,,alice,feedback/alice.txt", csv.get(1));
        assertEquals("bob,,,,5,0,0,5,13,,,bob,feedback/bob.txt", csv.get(2), "the partial submission fails the instructor's test");
        String bob = Files.readString(s.feedbackDir().resolve("bob.txt"));
        assertFalse(bob.contains("INSTRUCTOR"), bob);
        assertTrue(bob.contains("1 hidden test(s) worth 3 point(s): results withheld"), bob);
        String bobJson = Files.readString(s.feedbackDir().resolve("bob.json"));
        JsonNode hidden = hiddenTest(new ObjectMapper().readTree(bobJson));
        assertEquals("after_published", hidden.get("visibility").asText(), bobJson);
    }

    @Test
    void theGradescopeZipCarriesThemAndGradesWithThem(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("autograder.zip");
        Grader g = withInstructorTests().withClassPath(Fixtures.KIT_CLASS_PATH.stream()
                .filter(p -> Files.isDirectory(p) || p.getFileName().toString()
                        .matches("(junit|opentest4j|apiguardian|jackson|attention-kit-lib|asm).*"))
                .toList());
        GradescopePackager.build(Fixtures.KIT, g, zip, List.of("--test-timeout", "8"));
        Path root = tmp.resolve("autograder");
        List<String> names = unzip(zip, root.resolve("source"));
        assertTrue(names.contains("graded/src/hidden/java/dev/attentionkit/exercises/ch01/AdderInstructorTest.java"), names.toString());
        assertFalse(names.stream().anyMatch(n -> n.contains("AdderHiddenTest")), "only the instructor's hidden tests: " + names);

        BatchTestSupport.copy(Fixtures.submission("partial"), root.resolve("submission"));
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("source/run_autograder").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("run.log").toFile());
        pb.environment().put("AUTOGRADER_ROOT", root.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "run_autograder did not finish");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("run.log")));
        JsonNode results = new ObjectMapper().readTree(root.resolve("results/results.json").toFile());
        assertEquals(5, results.get("score").asInt(), results.toString());
        JsonNode hidden = hiddenTest(results);
        assertEquals(0, hidden.get("score").asInt());
        assertEquals(3, hidden.get("max_score").asInt());
        assertEquals("after_published", hidden.get("visibility").asText());
    }

    private static JsonNode hiddenTest(JsonNode results) {
        for (JsonNode t : results.get("tests")) {
            if (t.get("name").asText().contains("INSTRUCTOR-ONLY")) {
                return t;
            }
        }
        throw new AssertionError("no instructor test in " + results);
    }

    private static List<String> unzip(Path zip, Path dest) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
                Path out = dest.resolve(e.getName());
                Files.createDirectories(out.getParent());
                Files.copy(in, out);
            }
        }
        return names;
    }
}
