package dev.attentionkit.grading;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Grades every submission (sub-folder or .zip) of a folder in parallel, writing a CSV gradebook
 * and one feedback file per student. A submission that cannot be graded scores 0 with the
 * reason in its feedback; it never stops the batch.
 */
final class Batch {
    /**
     * What a batch produced.
     *
     * @param graded      number of submissions graded
     * @param elapsed     wall time
     * @param gradebook   the CSV file
     * @param feedbackDir folder with {@code <student>.txt} and {@code <student>.json}
     */
    record Summary(int graded, Duration elapsed, Path gradebook, Path feedbackDir) {
    }

    /** One student's row. */
    private record Row(String student, GradeReport report, String error) {
    }

    private final Grader grader;
    private final String chapter;
    private final int jobs;

    Batch(Grader grader, String chapter, int jobs) {
        this.grader = grader;
        this.chapter = chapter;
        this.jobs = Math.max(1, jobs);
    }

    /** Grades the submissions in {@code dir}; results go to {@code outDir}, which must not hold files yet. */
    Summary run(Path dir, Path outDir, PrintStream progress) {
        long start = System.nanoTime();
        if (!Files.isDirectory(dir)) {
            throw new GradingException("Batch folder not found: " + dir);
        }
        List<Path> submissions = submissions(dir);
        if (submissions.isEmpty()) {
            throw new GradingException("No submissions (sub-folders or .zip files) in " + dir);
        }
        prepareOutput(outDir);
        List<GradedTest> tests = grader.tests(chapter); // fails fast, before any work, if the tests are broken
        Path feedback = outDir.resolve("feedback");
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<Row>> futures = new ArrayList<>();
        bar(progress, 0, submissions.size(), 0);
        for (Path s : submissions) {
            futures.add(pool.submit(() -> {
                running.incrementAndGet();
                try {
                    Row row = gradeOne(s, tests);
                    writeFeedback(feedback, row);
                    return row;
                } finally {
                    running.decrementAndGet();
                    bar(progress, finished.incrementAndGet(), submissions.size(), running.get());
                }
            }));
        }
        pool.shutdown();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                rows.add(futures.get(i).get());
            } catch (Exception e) {
                // writeFeedback failed (disk?): still keep the student's row in the gradebook.
                rows.add(new Row(studentName(submissions.get(i)), null, "grader error: " + e.getCause()));
            }
        }
        progress.println();
        Path gradebook = outDir.resolve("gradebook.csv");
        writeCsv(gradebook, tests, rows);
        return new Summary(rows.size(), Duration.ofNanos(System.nanoTime() - start), gradebook, feedback);
    }

    private Row gradeOne(Path submission, List<GradedTest> tests) {
        String student = studentName(submission);
        try {
            return new Row(student, grader.grade(submission, chapter), "");
        } catch (GradingException | UncheckedIOException e) {
            return new Row(student, zero(submission, tests, e.getMessage()), e.getMessage());
        } catch (RuntimeException e) {
            return new Row(student, zero(submission, tests, "grader error: " + e), "grader error: " + e);
        }
    }

    private static GradeReport zero(Path submission, List<GradedTest> tests, String why) {
        return new GradeReport(submission.toString(),
                tests.stream().map(t -> TestOutcome.fail(t, why, "")).toList(), List.of(why), Duration.ZERO, false);
    }

    private static List<Path> submissions(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".zip"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new GradingException("Could not list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String studentName(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".zip") ? n.substring(0, n.length() - 4) : n;
    }

    private static void prepareOutput(Path outDir) {
        try {
            if (Files.isDirectory(outDir)) {
                try (Stream<Path> s = Files.list(outDir)) {
                    if (s.findAny().isPresent()) {
                        throw new GradingException("Output folder " + outDir
                                + " is not empty; move it away or pass another --out (the grader never overwrites results)");
                    }
                }
            }
            Files.createDirectories(outDir.resolve("feedback"));
        } catch (IOException e) {
            throw new GradingException("Could not create output folder " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static void writeFeedback(Path feedback, Row row) throws IOException {
        String safe = row.student().replaceAll("[^A-Za-z0-9._@-]", "_");
        Files.writeString(feedback.resolve(safe + ".txt"), row.report().toString(), StandardCharsets.UTF_8);
        Files.writeString(feedback.resolve(safe + ".json"), row.report().toGradescopeJson(), StandardCharsets.UTF_8);
    }

    /** Columns: student, one per exercise (test class), total, max, problem. Hidden tests are included: this is the instructor's view. */
    private static void writeCsv(Path file, List<GradedTest> tests, List<Row> rows) {
        Map<String, Integer> exercises = new LinkedHashMap<>();
        for (GradedTest t : tests) {
            exercises.merge(exercise(t), t.points(), Integer::sum);
        }
        StringBuilder b = new StringBuilder("student");
        exercises.forEach((e, max) -> b.append(',').append(csv(e + " (/" + max + ")")));
        b.append(",total,max,problem\n");
        for (Row row : rows) {
            Map<String, Integer> earned = new LinkedHashMap<>();
            exercises.keySet().forEach(e -> earned.put(e, 0));
            int total = 0;
            int max = 0;
            if (row.report() != null) {
                for (TestOutcome o : row.report().outcomes()) {
                    earned.merge(exercise(o.test()), o.score(), Integer::sum);
                }
                total = row.report().score();
                max = row.report().maxScore();
            }
            b.append(csv(row.student()));
            earned.values().forEach(v -> b.append(',').append(v));
            b.append(',').append(total).append(',').append(max).append(',').append(csv(row.error())).append('\n');
        }
        try {
            Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GradingException("Could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String exercise(GradedTest t) {
        return t.chapter() + " " + t.simpleClassName();
    }

    private static String csv(String s) {
        String one = s.replace('\n', ' ').replace('\r', ' ');
        if (!one.isEmpty() && "=+-@".indexOf(one.charAt(0)) >= 0) {
            one = "'" + one; // no spreadsheet formulas from student-chosen names
        }
        return one.matches("[^,\"]*") ? one : "\"" + one.replace("\"", "\"\"") + "\"";
    }

    private static synchronized void bar(PrintStream out, int done, int total, int running) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        out.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total
                + " graded" + (running > 0 ? " (" + running + " running)" : "") + "   ");
        out.flush();
    }
}
