package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradescopePackagerTest {
    /** Enough of the kit's class path for the fixture exercises, to keep the zip small in this test. */
    private static Grader smallGrader() {
        return Fixtures.grader().withClassPath(Fixtures.KIT_CLASS_PATH.stream()
                .filter(p -> Files.isDirectory(p) || p.getFileName().toString()
                        .matches("(junit|opentest4j|apiguardian|jackson|attention-kit-lib|asm).*"))
                .toList());
    }

    @Test
    void zipRunsTheSameGraderAndAlwaysWritesResultsJson(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("autograder.zip");
        GradescopePackager.build(Fixtures.KIT, smallGrader(), zip, List.of("--test-timeout", "8"));
        Path root = tmp.resolve("autograder");
        List<String> names = unzip(zip, root.resolve("source"));
        assertTrue(names.containsAll(List.of("setup.sh", "run_autograder",
                "graded/src/test/java/dev/attentionkit/exercises/ch01/AdderTest.java",
                "graded/src/hidden/java/dev/attentionkit/exercises/ch01/AdderHiddenTest.java")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.matches("lib/junit-jupiter-api-.*\\.jar")));
        assertTrue(Files.readString(root.resolve("source/run_autograder")).contains("'--test-timeout' '8'"));

        BatchTestSupport.copy(Fixtures.submission("partial"), root.resolve("submission"));
        JsonNode partial = runAutograder(root);
        assertEquals(7, partial.get("score").asInt());
        assertEquals(6, partial.get("tests").size());

        BatchTestSupport.deleteTree(root.resolve("submission"));
        BatchTestSupport.deleteTree(root.resolve("results"));
        BatchTestSupport.copy(Fixtures.submission("empty"), root.resolve("submission"));
        JsonNode empty = runAutograder(root);
        assertEquals(0, empty.get("score").asInt());
        assertEquals(6, empty.get("tests").size(), "every test listed even when nothing could be graded");
        assertTrue(empty.get("output").asText().startsWith("No Java sources in "));

        GradingException e = assertThrows(GradingException.class,
                () -> GradescopePackager.build(Fixtures.KIT, smallGrader(), zip, List.of()));
        assertTrue(e.getMessage().startsWith("Refusing to overwrite " + zip));
    }

    private static JsonNode runAutograder(Path root) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("source/run_autograder").toString())
                .redirectErrorStream(true).redirectOutput(root.resolveSibling("run.log").toFile());
        pb.environment().put("AUTOGRADER_ROOT", root.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return new ObjectMapper().readTree(root.resolve("results/results.json").toFile());
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
