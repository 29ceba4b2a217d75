package dev.attentionkit.grading;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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
        FeedbackNames names = new FeedbackNames();
        for (Path s : submissions) {
            String file = names.claim(studentName(s));
            futures.add(pool.submit(() -> {
                running.incrementAndGet();
                try {
                    Row row = gradeOne(s, tests);
                    try {
                        writeFeedback(feedback, file, row);
                    } catch (IOException | RuntimeException e) {
                        // The score stands; only the feedback file is missing, and the gradebook says so.
                        return new Row(row.student(), row.report(), (row.error().isEmpty() ? "" : row.error() + "; ")
                                + "feedback not written: " + e.getMessage());
                    }
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
                // The grader itself failed on this one: still keep the student's row in the gradebook.
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
        if (Files.isSymbolicLink(submission)) {
            String why = submission.getFileName() + " is a link; links are not followed (it could point at a classmate's work)";
            return new Row(student, zero(submission, tests, why), why);
        }
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
            if (Files.isSymbolicLink(outDir)) {
                throw new GradingException("Output folder " + outDir + " is a symbolic link; pass a real folder with --out");
            }
            if (Files.isDirectory(outDir, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.list(outDir)) {
                    if (s.findAny().isPresent()) {
                        throw new GradingException("Output folder " + outDir
                                + " is not empty; move it away or pass another --out (the grader never overwrites results)");
                    }
                }
            }
            Files.createDirectories(outDir);
            Files.createDirectory(outDir.resolve("feedback"));
        } catch (IOException e) {
            throw new GradingException("Could not create output folder " + outDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Feedback file names: the student's name when it is already a safe file name, else the
     * safe form plus a hash of the real name, so that "x y" and "x_y" never share a file; a name
     * already taken gets a counter.
     */
    static final class FeedbackNames {
        private final Set<String> used = new HashSet<>();

        synchronized String claim(String student) {
            String safe = student.replaceAll("[^A-Za-z0-9._@-]", "_");
            if (safe.startsWith(".") || safe.isEmpty()) {
                safe = "_" + safe;
            }
            String base = safe.equals(student) ? safe : safe + "-" + shortHash(student);
            String name = base;
            for (int n = 2; !used.add(name.toLowerCase(java.util.Locale.ROOT)); n++) {
                name = base + "-" + n;
            }
            return name;
        }

        private static String shortHash(String s) {
            try {
                byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(d, 0, 4);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Writes the student's two feedback files: never over an existing file, never through a link. */
    private static void writeFeedback(Path feedback, String name, Row row) throws IOException {
        writeNew(feedback.resolve(name + ".txt"), row.report().toString());
        writeNew(feedback.resolve(name + ".json"), row.report().toGradescopeJson());
    }

    static void writeNew(Path file, String text) throws IOException {
        try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
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
        // Written whole to a new temporary file, then moved into place: a reader never sees half a gradebook,
        // and nothing that was at that name is followed or overwritten.
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            writeNew(tmp, b.toString());
            try {
                Files.createLink(file, tmp); // atomic, and fails if anything (file, folder, link) has that name
                Files.delete(tmp);
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new GradingException("Could not write " + file + (Files.exists(tmp) ? " (the rows are in " + tmp + ")" : "")
                    + ": " + e.getMessage(), e);
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
