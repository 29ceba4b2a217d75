package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradeMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return GradeMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void gradesAndWritesResultsJsonWithExitZeroWhateverTheScore(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("out/results.json");
        int rc = run("--kit-root", Fixtures.KIT.toString(), Fixtures.submission("stub").toString(),
                "--json", json.toString(), "--chapter", "ch02");
        assertEquals(0, rc, err.toString());
        assertTrue(out.toString().contains("Total: 0 / 4 points"), out.toString());
        JsonNode node = new ObjectMapper().readTree(json.toFile());
        assertEquals(0, node.get("score").asInt());
        assertEquals(2, node.get("tests").size());
    }

    @Test
    void missingSubmissionExitsTwoNamingThePath() {
        int rc = run("--kit-root", Fixtures.KIT.toString(), "nowhere");
        assertEquals(2, rc);
        assertEquals("grade: Submission not found: " + Fixtures.KIT.resolve("nowhere") + "\n", err.toString());
    }

    @Test
    void badArgumentsExitTwoWithUsage() {
        assertEquals(2, run("--frobnicate"));
        assertTrue(err.toString().startsWith("grade: unknown option --frobnicate\nusage: GradeMain"), err.toString());
        err.reset();
        assertEquals(2, run("--chapter", "one"));
        assertTrue(err.toString().startsWith("grade: --chapter takes a chapter like ch01, not 'one'"));
    }

    @Test
    void defaultSubmissionIsTheExercisesFolderOfTheKitRoot() {
        int rc = run("--kit-root", Fixtures.KIT.toString());
        assertEquals(2, rc);
        assertTrue(err.toString().contains("Submission not found: " + Fixtures.KIT.resolve("exercises")), err.toString());
    }
}
