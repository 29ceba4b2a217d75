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
                        .matches("(junit|opentest4j|apiguardian|jackson|asm|attention-kit-lib|attention-kit-testkit).*"))
                .toList());
    }

    /** Whether one of the jars in {@code lib} holds {@code entry}. */
    private static boolean holdsClass(Path lib, String entry) throws java.io.IOException {
        try (java.util.stream.Stream<Path> jars = Files.list(lib)) {
            for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar.toFile())) {
                    if (z.getEntry(entry) != null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void zipRunsTheSameGraderAndAlwaysWritesResultsJson(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("autograder.zip");
        GradescopePackager.build(Fixtures.KIT, smallGrader(), zip, List.of("--test-timeout", "8"));
        Path root = tmp.resolve("autograder");
        List<String> names = unzip(zip, root.resolve("source"));
        assertTrue(names.containsAll(List.of("setup.sh", "run_autograder",
                "graded/src/test/java/dev/attentionkit/exercises/ch01/AdderTest.java",
                "graded/src/hidden/java/dev/attentionkit/exercises/ch01/AdderHiddenTest.java",
                "signatures/src/main/java/dev/attentionkit/exercises/ch01/Adder.java")), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.startsWith("solutions/")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.matches("lib/junit-jupiter-api-.*\\.jar")));
        // The graded tests' fixtures (testkit) travel in lib/ with the rest of the grader's class path.
        assertTrue(holdsClass(root.resolve("source/lib"), "dev/attentionkit/testkit/Loops.class"), names.toString());
        assertTrue(Files.readString(root.resolve("source/run_autograder")).contains("'--test-timeout' '8'"));

        assertTrue(names.contains("README.txt"));
        String readme = readEntry(zip, "README.txt");
        assertTrue(readme.contains("768 MB") && readme.contains("Isolation there"), readme);

        runScript(root, "setup.sh"); // as Gradescope does: set-up once, then run_autograder per submission
        BatchTestSupport.copy(Fixtures.submission("partial"), root.resolve("submission"));
        JsonNode partial = runAutograder(root);
        assertEquals(7, partial.get("score").asInt());
        assertEquals(6, partial.get("tests").size());
        assertEquals("text", partial.get("output_format").asText());
        assertEquals("hidden", partial.get("stdout_visibility").asText());
        for (JsonNode t : partial.get("tests")) {
            assertEquals(t.get("name").asText().contains("millions") ? "after_published" : "visible", t.get("visibility").asText(),
                    t.toString());
        }
        assertTrue(partial.get("isolation").get("layers").size() > 0, partial.toString());
        assertTrue(partial.get("isolation").has("missing") && partial.get("isolation").has("verdicts"), partial.toString());

        BatchTestSupport.deleteTree(root.resolve("submission"));
        BatchTestSupport.deleteTree(root.resolve("results"));
        BatchTestSupport.copy(Fixtures.submission("empty"), root.resolve("submission"));
        JsonNode empty = runAutograder(root);
        assertEquals(0, empty.get("score").asInt());
        assertEquals(6, empty.get("tests").size(), "every test listed even when nothing could be graded");
        assertTrue(empty.get("output").asText().startsWith("No Java sources in "));

        // An upload of the released hand-out, zipped as its README says: Gradescope unpacks it into submission/,
        // one folder with README.txt and src/main/java inside.
        BatchTestSupport.deleteTree(root.resolve("submission"));
        BatchTestSupport.deleteTree(root.resolve("results"));
        Path handOut = root.resolve("submission").resolve(Release.FOLDER);
        BatchTestSupport.copy(Fixtures.submission("correct"), handOut);
        Files.writeString(handOut.resolve("README.txt"), "attention-kit exercises");
        JsonNode released = runAutograder(root);
        assertEquals(Fixtures.report("correct").score(), released.get("score").asInt(), released.toString());

        GradingException e = assertThrows(GradingException.class,
                () -> GradescopePackager.build(Fixtures.KIT, smallGrader(), zip, List.of()));
        assertTrue(e.getMessage().startsWith("Refusing to overwrite " + zip));
    }

    @Test
    void aSubmissionCannotRewriteRunAutograderOrItsResults(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("autograder.zip");
        GradescopePackager.build(Fixtures.KIT, smallGrader(), zip, List.of());
        Path root = tmp.resolve("autograder");
        unzip(zip, root.resolve("source"));
        runScript(root, "setup.sh");
        String script = Files.readString(root.resolve("run_autograder"));
        Path sub = root.resolve("submission");
        BatchTestSupport.copy(Fixtures.submission("correct"), sub);
        // Aims at the real paths of this run: the running script, its source, and the results file.
        String targets = String.join(", ", List.of(root.resolve("run_autograder"), root.resolve("source/run_autograder"),
                root.resolve("results/results.json")).stream().map(p -> "\"" + p + "\"").toList());
        Files.writeString(sub.resolve("src/main/java/dev/attentionkit/exercises/ch01/Adder.java"), """
                package dev.attentionkit.exercises.ch01;
                public final class Adder {
                    public static int add(int a, int b) {
                        for (String t : new String[] {%s}) {
                            try {
                                java.nio.file.Files.writeString(java.nio.file.Path.of(t),
                                        "#!/bin/bash\\necho '{\\"score\\": 999}' > \\"$AUTOGRADER_ROOT/results/results.json\\"; exit 0\\n");
                            } catch (Exception e) { }
                        }
                        return a - b;
                    }
                }
                """.formatted(targets));
        JsonNode r = runAutograder(root);
        assertEquals(4, r.get("score").asInt(), "only Multiplier's 4 points are deserved: " + r);
        assertEquals(script, Files.readString(root.resolve("run_autograder")), "run_autograder was changed");
    }

    private static String readEntry(Path zip, String name) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        throw new IOException(name + " not in " + zip);
    }

    private static void runScript(Path root, String name) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("source").resolve(name).toString())
                .redirectErrorStream(true).redirectOutput(root.resolveSibling(name + ".log").toFile());
        pb.environment().put("AUTOGRADER_ROOT", root.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(root.resolveSibling(name + ".log")));
    }

    /** Runs the installed run_autograder (the copy setup.sh made), as Gradescope does. */
    private static JsonNode runAutograder(Path root) throws IOException, InterruptedException {
        Path script = Files.exists(root.resolve("run_autograder")) ? root.resolve("run_autograder") : root.resolve("source/run_autograder");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true).redirectOutput(root.resolveSibling("run.log").toFile());
        pb.environment().put("AUTOGRADER_ROOT", root.toString());
        Process p = pb.start();
        // A limit, not a measurement: the grader's own time limits end a slow run long before this.
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "run_autograder did not finish within 300 s");
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
