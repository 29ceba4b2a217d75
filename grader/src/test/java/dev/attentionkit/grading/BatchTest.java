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
        assertEquals("student,ch01 AdderTest (/6),ch01 AdderHiddenTest (/2),ch02 MultiplierTest (/4),total,max,problem", csv.get(0));
        assertEquals("'=eve,0,0,0,0,12,\"Not a zip file, or an empty one: " + in.resolve("=eve.zip") + "\"", csv.get(1));
        assertEquals("alice,6,2,4,12,12,", csv.get(2));
        assertEquals("bob,5,2,0,7,12,", csv.get(3));
        assertEquals("carol,0,0,0,0,12,", csv.get(4));
        assertTrue(csv.get(5).startsWith("dave,0,0,0,0,12,No Java sources in "), csv.get(5));
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

    private static void zip(Path from, Path zip, String prefix) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                z.putNextEntry(new ZipEntry(prefix + from.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }
}
