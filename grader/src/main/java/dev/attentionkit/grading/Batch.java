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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
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
 * Grades every submission of a folder as an LMS exports it (see {@link LmsExport}) in parallel, writing a
 * CSV gradebook with one row per student and one feedback file pair per graded student. With a roster, every
 * student of the class gets a row (0 and "no submission" when nothing came in) and submissions from
 * students not on it are flagged. A submission that cannot be graded scores 0 with the reason in its
 * feedback; it never stops the batch.
 */
final class Batch {
    /**
     * What a batch produced.
     *
     * @param graded      number of submissions graded
     * @param rows        number of gradebook rows (students)
     * @param elapsed     wall time
     * @param gradebook   the CSV file
     * @param feedbackDir folder with {@code <student>.txt} and {@code <student>.json}
     */
    record Summary(int graded, int rows, Duration elapsed, Path gradebook, Path feedbackDir) {
    }

    /** One student's row: who, what was graded (null: nothing), and what the instructor should know. */
    private record Row(String student, String id, String sisUserId, String sisLoginId, String lms,
                       LmsExport.Entry entry, String feedback, List<String> notes) {
    }

    /** A graded row: the report, and a problem found while grading ("" if none). */
    private record Result(GradeReport report, String error) {
    }

    private final Grader grader;
    private final String chapter;
    private final int jobs;
    private final Roster roster;

    Batch(Grader grader, String chapter, int jobs) {
        this(grader, chapter, jobs, null);
    }

    Batch(Grader grader, String chapter, int jobs, Roster roster) {
        this.grader = grader;
        this.chapter = chapter;
        this.jobs = Math.max(1, jobs);
        this.roster = roster;
    }

    /** Grades the submissions in {@code dir}; results go to {@code outDir}, which must not hold files yet. */
    Summary run(Path dir, Path outDir, PrintStream progress) {
        long start = System.nanoTime();
        if (!Files.isDirectory(dir)) {
            throw new GradingException("Batch folder not found: " + dir);
        }
        LmsExport.Contents contents = LmsExport.read(dir);
        if (contents.entries().isEmpty()) {
            throw new GradingException("No submissions (sub-folders or .zip files) in " + dir
                    + (contents.skipped().isEmpty() ? "" : "; skipped: " + String.join(", ", contents.skipped())));
        }
        contents.skipped().forEach(s -> progress.println("skipped " + s));
        prepareOutput(outDir);
        List<GradedTest> tests = grader.tests(chapter); // fails fast, before any work, if the tests are broken
        List<Row> rows = rows(contents.entries());
        Path feedback = outDir.resolve("feedback");
        List<Row> toGrade = rows.stream().filter(r -> r.entry() != null).toList();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        Map<Row, Future<Result>> futures = new LinkedHashMap<>();
        bar(progress, 0, toGrade.size(), 0);
        for (Row row : toGrade) {
            futures.put(row, pool.submit(() -> {
                running.incrementAndGet();
                try {
                    Result r = gradeOne(row.entry().path(), tests);
                    try {
                        writeFeedback(feedback, row.feedback(), r.report());
                    } catch (IOException | RuntimeException e) {
                        // The score stands; only the feedback file is missing, and the gradebook says so.
                        return new Result(r.report(), (r.error().isEmpty() ? "" : r.error() + "; ")
                                + "feedback not written: " + e.getMessage());
                    }
                    return r;
                } finally {
                    running.decrementAndGet();
                    bar(progress, finished.incrementAndGet(), toGrade.size(), running.get());
                }
            }));
        }
        pool.shutdown();
        Map<Row, Result> results = new LinkedHashMap<>();
        futures.forEach((row, f) -> {
            try {
                results.put(row, f.get());
            } catch (Exception e) {
                // The grader itself failed on this one: still keep the student's row in the gradebook.
                results.put(row, new Result(null, "grader error: " + e.getCause()));
            }
        });
        progress.println();
        Path gradebook = outDir.resolve("gradebook.csv");
        writeCsv(gradebook, tests, rows, results);
        return new Summary(toGrade.size(), rows.size(), Duration.ofNanos(System.nanoTime() - start), gradebook, feedback);
    }

    /**
     * One row per student: the roster's students in its order, then everyone else by name. A student with
     * several entries (Blackboard attempts, a resubmitted zip) is graded on the latest.
     */
    private List<Row> rows(List<LmsExport.Entry> entries) {
        Map<String, List<LmsExport.Entry>> groups = new LinkedHashMap<>();
        Map<String, Integer> onRoster = new HashMap<>();
        for (LmsExport.Entry e : entries) {
            int r = roster == null ? -1 : roster.find(e);
            String key = r >= 0 ? "roster:" + r : e.key();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
            if (r >= 0) {
                onRoster.put(key, r);
            }
        }
        List<Row> rows = new ArrayList<>();
        FeedbackNames names = new FeedbackNames();
        if (roster != null) {
            for (int i = 0; i < roster.students().size(); i++) {
                Roster.Student s = roster.students().get(i);
                List<LmsExport.Entry> mine = groups.getOrDefault("roster:" + i, List.of());
                if (mine.isEmpty()) {
                    rows.add(new Row(s.name(), s.id(), s.sisUserId(), s.sisLoginId(), "", null, "", List.of("no submission")));
                } else {
                    LmsExport.Entry latest = latest(mine);
                    rows.add(new Row(s.name(), s.id(), s.sisUserId(), s.sisLoginId(), latest.lms(), latest,
                            names.claim(feedbackName(s.name(), s.id())), notes(mine, latest, true)));
                }
            }
        }
        List<Row> others = new ArrayList<>();
        groups.forEach((key, mine) -> {
            if (!onRoster.containsKey(key)) {
                LmsExport.Entry latest = latest(mine);
                others.add(new Row(latest.student(), latest.id(), "", "", latest.lms(), latest, "", notes(mine, latest, roster == null)));
            }
        });
        others.sort(Comparator.comparing((Row r) -> r.student().toLowerCase(Locale.ROOT)).thenComparing(Row::id)
                .thenComparing(r -> r.entry().file()));
        for (Row r : others) {
            rows.add(new Row(r.student(), r.id(), "", "", r.lms(), r.entry(), names.claim(feedbackName(r.student(), r.id())), r.notes()));
        }
        return rows;
    }

    private static LmsExport.Entry latest(List<LmsExport.Entry> mine) {
        List<LmsExport.Entry> ordered = LmsExport.oldestFirst(mine);
        return ordered.get(ordered.size() - 1);
    }

    private static List<String> notes(List<LmsExport.Entry> mine, LmsExport.Entry latest, boolean onRoster) {
        List<String> notes = new ArrayList<>();
        if (!onRoster) {
            notes.add("not on the roster");
        }
        if (mine.size() > 1) {
            notes.add(mine.size() + " submissions from this student; graded the latest, " + latest.file() + " (not graded: "
                    + String.join(", ", LmsExport.oldestFirst(mine).stream().filter(e -> e != latest).map(LmsExport.Entry::file).toList())
                    + ")");
        }
        if (latest.late()) {
            notes.add("late (" + latest.lms() + ")");
        }
        return notes;
    }

    private static String feedbackName(String student, String id) {
        return id.isEmpty() ? student : student + "_" + id;
    }

    private Result gradeOne(Path submission, List<GradedTest> tests) {
        if (Files.isSymbolicLink(submission)) {
            String why = submission.getFileName() + " is a link; links are not followed (it could point at a classmate's work)";
            return new Result(zero(submission, tests, why), why);
        }
        try {
            return new Result(grader.grade(LmsExport.gradable(submission), chapter), "");
        } catch (GradingException | UncheckedIOException e) {
            return new Result(zero(submission, tests, e.getMessage()), e.getMessage());
        } catch (RuntimeException e) {
            return new Result(zero(submission, tests, "grader error: " + e), "grader error: " + e);
        }
    }

    private static GradeReport zero(Path submission, List<GradedTest> tests, String why) {
        return new GradeReport(submission.toString(),
                tests.stream().map(t -> TestOutcome.fail(t, why, "")).toList(), List.of(why), Duration.ZERO, false);
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
    private static void writeFeedback(Path feedback, String name, GradeReport report) throws IOException {
        writeNew(feedback.resolve(name + ".txt"), report.toString());
        writeNew(feedback.resolve(name + ".json"), report.toGradescopeJson());
    }

    static void writeNew(Path file, String text) throws IOException {
        try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The gradebook's columns before the exercises; {@link #TAIL} after them. Stable whatever was submitted. */
    static final List<String> HEAD = List.of("Student", "ID", "SIS User ID", "SIS Login ID");
    static final List<String> TAIL = List.of("Total", "Max", "Problem", "LMS", "Submission", "Feedback");

    /**
     * Columns: {@link #HEAD}, one per exercise (test class) in course order headed {@code "chNN Class (/max)"},
     * {@link #TAIL}. Hidden tests are included: this is the instructor's view.
     */
    private static void writeCsv(Path file, List<GradedTest> tests, List<Row> rows, Map<Row, Result> results) {
        Map<String, Integer> exercises = new LinkedHashMap<>();
        for (GradedTest t : tests) {
            exercises.merge(exercise(t), t.points(), Integer::sum);
        }
        int courseMax = exercises.values().stream().mapToInt(Integer::intValue).sum();
        List<String> header = new ArrayList<>(HEAD);
        exercises.forEach((e, max) -> header.add(e + " (/" + max + ")"));
        header.addAll(TAIL);
        StringBuilder b = new StringBuilder(String.join(",", header.stream().map(Batch::csv).toList())).append('\n');
        for (Row row : rows) {
            Map<String, Integer> earned = new LinkedHashMap<>();
            exercises.keySet().forEach(e -> earned.put(e, 0));
            int total = 0;
            int max = courseMax;
            List<String> problems = new ArrayList<>(row.notes());
            Result r = results.get(row);
            if (r != null && r.report() != null) {
                for (TestOutcome o : r.report().outcomes()) {
                    earned.merge(exercise(o.test()), o.score(), Integer::sum);
                }
                total = r.report().score();
                max = r.report().maxScore();
            }
            if (r != null && !r.error().isEmpty()) {
                problems.add(0, r.error());
            }
            List<String> cells = new ArrayList<>(List.of(row.student(), row.id(), row.sisUserId(), row.sisLoginId()));
            earned.values().forEach(v -> cells.add(String.valueOf(v)));
            cells.addAll(List.of(String.valueOf(total), String.valueOf(max), String.join("; ", problems), row.lms(),
                    row.entry() == null ? "" : row.entry().file(), row.feedback().isEmpty() ? "" : "feedback/" + row.feedback() + ".txt"));
            b.append(String.join(",", cells.stream().map(Batch::csv).toList())).append('\n');
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
