package dev.attentionkit.grading;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Grades a learner's workspace against the kit's graded tests.
 *
 * <p>Pipeline: discover graded tests from source; copy the submission into a fresh work area;
 * compile it (files with errors are left out so the rest still earns points); compile the
 * graded tests against it (per file if need be); run them in separate, sandboxed JVMs; report.
 * The submission folder itself is only read.
 */
public final class Grader {
    private final Path kitRoot;
    private final Path testRoot;
    private final Path hiddenRoot;
    private final List<Path> classPath;
    private final Limits limits;
    private final boolean keepWork;
    private final Long seed;
    private final boolean referenceCheck;

    private Grader(Path kitRoot, Path testRoot, Path hiddenRoot, List<Path> classPath, Limits limits, boolean keepWork) {
        this(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, null, true);
    }

    private Grader(Path kitRoot, Path testRoot, Path hiddenRoot, List<Path> classPath, Limits limits, boolean keepWork,
                   Long seed, boolean referenceCheck) {
        this.kitRoot = kitRoot.toAbsolutePath().normalize();
        this.testRoot = testRoot.toAbsolutePath().normalize();
        this.hiddenRoot = hiddenRoot.toAbsolutePath().normalize();
        this.classPath = List.copyOf(classPath);
        this.limits = limits;
        this.keepWork = keepWork;
        this.seed = seed;
        this.referenceCheck = referenceCheck;
    }

    /**
     * A grader for the kit at {@code kitRoot}: graded tests in {@code graded/src/test/java},
     * hidden ones in {@code graded/src/hidden/java}; the class path for the tests is the built
     * grader's ({@code grader/target/runtime-classpath.txt} plus {@code grader/target/classes})
     * when present, else this JVM's.
     */
    public static Grader forKit(Path kitRoot) {
        return new Grader(kitRoot, kitRoot.resolve("graded/src/test/java"), kitRoot.resolve("graded/src/hidden/java"),
                kitClassPath(kitRoot), Limits.defaults(), false);
    }

    /** The built grader's class path, so that a notebook kernel (whose own class path differs) grades like ./kit. */
    static List<Path> kitClassPath(Path kitRoot) {
        Path file = kitRoot.resolve("grader/target/runtime-classpath.txt");
        Path classes = kitRoot.resolve("grader/target/classes");
        if (!Files.isRegularFile(file) || !Files.isDirectory(classes)) {
            return currentClassPath();
        }
        try {
            List<Path> cp = new ArrayList<>();
            for (String s : Files.readString(file).strip().split(File.pathSeparator)) {
                if (!s.isBlank()) {
                    cp.add(kitRoot.resolve(s.strip()).toAbsolutePath().normalize());
                }
            }
            cp.add(classes.toAbsolutePath().normalize());
            return cp;
        } catch (IOException e) {
            throw new GradingException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** This grader with other graded test folders (visible and hidden). */
    public Grader withTests(Path visible, Path hidden) {
        return new Grader(kitRoot, visible, hidden, classPath, limits, keepWork, seed, referenceCheck);
    }

    /** This grader handing {@code cp} (kit library, JUnit, grader classes) to javac and the test JVMs. */
    public Grader withClassPath(List<Path> cp) {
        return new Grader(kitRoot, testRoot, hiddenRoot, cp, limits, keepWork, seed, referenceCheck);
    }

    /** This grader with other limits. */
    public Grader withLimits(Limits l) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, l, keepWork, seed, referenceCheck);
    }

    /** This grader, keeping its work area for inspection when {@code keep}. */
    public Grader keepingWork(boolean keep) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keep, seed, referenceCheck);
    }

    /**
     * This grader drawing the graded inputs from {@code s} (see {@link GradedSeed}) instead of a fresh seed per
     * submission: repeats a run exactly (0: the fixed inputs of a plain Maven run).
     */
    public Grader withSeed(long s) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, s, referenceCheck);
    }

    /**
     * This grader with the bytecode rules ({@link ReferenceCheck}) switched on or off. Off only for testing the
     * layers behind it (time, memory and output limits, the sandbox) with fixtures the rules would stop first.
     */
    Grader withReferenceCheck(boolean on) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, seed, on);
    }

    /** The visible graded test sources. */
    Path testRoot() {
        return testRoot;
    }

    /** The hidden graded test sources. */
    Path hiddenRoot() {
        return hiddenRoot;
    }

    /** The class path handed to javac and the test JVMs. */
    List<Path> classPath() {
        return classPath;
    }

    /** The limits in force. */
    public Limits limits() {
        return limits;
    }

    /**
     * Grades {@code workspace} with the kit at {@code kitRoot}: the notebook entry point.
     *
     * @param kitRoot       the kit's root folder (holds {@code graded/})
     * @param workspace     a folder with {@code src/main/java}, loose .java files, or a zip
     * @param chapterFilter e.g. {@code "ch01"} to grade one chapter only; null for all
     * @return the report; render it with {@code toString()} or {@code toHtml()}
     */
    public static GradeReport grade(Path kitRoot, Path workspace, String chapterFilter) {
        return forKit(kitRoot).grade(workspace, chapterFilter);
    }

    /** The graded tests this grader would run for {@code chapterFilter} (null: all). */
    public List<GradedTest> tests(String chapterFilter) {
        List<GradedTest> tests = TestDiscovery.discover(testRoot, hiddenRoot, blankToNull(chapterFilter));
        if (tests.isEmpty()) {
            throw new GradingException("No graded tests (methods annotated @Points) under " + testRoot
                    + (chapterFilter == null ? "" : " for chapter " + chapterFilter
                    + " (package dev.attentionkit.exercises." + chapterFilter + ")"));
        }
        return tests;
    }

    /**
     * Grades {@code workspace}.
     *
     * @throws GradingException if the submission is missing or holds no Java sources, or the
     *                          graded tests cannot be read
     */
    public GradeReport grade(Path workspace, String chapterFilter) {
        long start = System.nanoTime();
        List<GradedTest> tests = tests(chapterFilter);
        Path work = createWorkDir();
        try {
            return gradeIn(work, workspace, tests, start);
        } finally {
            if (!keepWork) {
                Compiler.deleteTree(work);
            }
        }
    }

    /** Grades like {@link #grade(Path, String)}, but a submission that cannot be read scores 0 instead of throwing. */
    public GradeReport gradeOrZero(Path workspace, String chapterFilter) {
        List<GradedTest> tests = tests(chapterFilter);
        try {
            return grade(workspace, chapterFilter);
        } catch (GradingException | UncheckedIOException e) {
            List<TestOutcome> zero = tests.stream().map(t -> TestOutcome.fail(t, e.getMessage(), "")).toList();
            return new GradeReport(workspace.toString(), zero, List.of(e.getMessage()), Duration.ZERO, false);
        }
    }

    private GradeReport gradeIn(Path work, Path workspace, List<GradedTest> tests, long start) {
        long runSeed = seed != null ? seed : GradedSeed.fresh();
        Submission submission = Submission.collect(workspace, work);
        List<String> warnings = new ArrayList<>(submission.warnings());
        if (keepWork) {
            warnings.add("Work folder kept at " + work);
        }
        Path classes = work.resolve("classes");
        Map<Path, String> studentErrors = Compiler.compileLenient(submission.sources(), classPath, classes);
        String studentLog = String.join("\n", studentErrors.values());
        if (!studentErrors.isEmpty()) {
            warnings.add("Your code does not compile; these files were left out:\n" + Text.firstLines(studentLog, 12));
        }

        List<Path> runCp = new ArrayList<>(classPath);
        runCp.add(classes);
        Path testClasses = work.resolve("test-classes");
        Map<String, TestOutcome> outcomes = new LinkedHashMap<>();
        List<GradedTest> runnable = compileTests(tests, runCp, testClasses, studentLog, outcomes);
        runnable = checkReferences(classes, testClasses, runnable, outcomes, warnings);

        if (!runnable.isEmpty()) {
            List<Path> jvmCp = new ArrayList<>(classPath);
            jvmCp.add(testClasses);
            jvmCp.add(classes);
            List<Path> hide = hideable(work, jvmCp);
            List<String> sandboxWarnings = new ArrayList<>();
            // Only work areas under the grader's own parent folder can have their siblings hidden.
            Path shared = workParent();
            List<String> prefix = Sandbox.prefix(limits, hide,
                    work.getParent().equals(shared) && jvmCp.stream().noneMatch(p -> p.startsWith(shared) && !p.startsWith(work)) ? work : null,
                    sandboxWarnings);
            warnings.addAll(sandboxWarnings);
            outcomes.putAll(new TestJvm(prefix, jvmCp, work, limits).seed(runSeed).run(runnable));
        }
        List<TestOutcome> ordered = tests.stream().map(t -> outcomes.getOrDefault(t.key(),
                TestOutcome.fail(t, "not run (internal grader error)", ""))).toList();
        return new GradeReport(workspace.toString(), ordered, warnings,
                Duration.ofNanos(System.nanoTime() - start), false, runSeed);
    }

    /**
     * What the submission's bytecode references ({@link ReferenceCheck}): the tests of an exercise whose code breaks
     * a rule fail without running, with the call, file and line. Returns the tests that may run.
     */
    private List<GradedTest> checkReferences(Path classes, Path testClasses, List<GradedTest> runnable,
                                             Map<String, TestOutcome> outcomes, List<String> warnings) {
        if (runnable.isEmpty() || !referenceCheck) {
            return runnable;
        }
        ReferenceCheck.Result check = ReferenceCheck.check(classes, testClasses, runnable,
                ReferenceCheck.gradedNames(List.of(testRoot, hiddenRoot)));
        warnings.addAll(check.warnings());
        List<GradedTest> clean = new ArrayList<>();
        for (GradedTest t : runnable) {
            String why = check.reason(t);
            if (why == null) {
                clean.add(t);
            } else {
                outcomes.put(t.key(), TestOutcome.fail(t, why, Text.cap(check.details(t), 8000)));
            }
        }
        return clean;
    }

    /** Compiles the graded tests; tests whose file does not compile get a failed outcome. Returns the runnable tests. */
    private List<GradedTest> compileTests(List<GradedTest> tests, List<Path> cp, Path out,
                                          String studentLog, Map<String, TestOutcome> outcomes) {
        Set<Path> files = new LinkedHashSet<>();
        tests.forEach(t -> files.add(t.source()));
        List<Path> sourcePath = List.of(testRoot, hiddenRoot);
        Compiler.Result all = Compiler.compile(List.copyOf(files), cp, sourcePath, true, out);
        Map<Path, String> broken = new LinkedHashMap<>();
        if (!all.ok()) {
            Compiler.deleteTree(out);
            for (Path f : files) {
                Compiler.Result one = Compiler.compile(List.of(f), cp, sourcePath, true, out);
                if (!one.ok()) {
                    broken.put(f, one.log());
                }
            }
        }
        List<GradedTest> runnable = new ArrayList<>();
        for (GradedTest t : tests) {
            String err = broken.get(t.source());
            if (err == null) {
                runnable.add(t);
            } else if (!studentLog.isEmpty()) {
                outcomes.put(t.key(), TestOutcome.fail(t, "your code does not compile: " + Text.firstLines(studentLog, 1),
                        Text.cap(Text.firstLines(studentLog, 20) + "\n\nso the test could not compile:\n"
                                + Text.firstLines(err, 10), 8000)));
            } else {
                outcomes.put(t.key(), TestOutcome.fail(t, "test does not compile against your code: "
                        + Text.firstLines(err, 1), Text.cap(Text.firstLines(err, 20), 8000)));
            }
        }
        return runnable;
    }

    /** Kit folders the tests must not see (solutions, graded sources), unless the tests need them. */
    private List<Path> hideable(Path work, List<Path> jvmCp) {
        List<Path> candidates = new ArrayList<>(List.of(kitRoot.resolve("solutions"), kitRoot.resolve("graded"),
                testRoot, hiddenRoot));
        List<Path> hide = new ArrayList<>();
        for (Path c : candidates) {
            Path abs = c.toAbsolutePath().normalize();
            boolean needed = work.startsWith(abs) || jvmCp.stream().anyMatch(p -> p.toAbsolutePath().normalize().startsWith(abs));
            if (!needed && Files.isDirectory(abs) && hide.stream().noneMatch(abs::startsWith)) {
                hide.removeIf(h -> h.startsWith(abs));
                hide.add(abs);
            }
        }
        return hide;
    }

    /** The parent of all work areas: a folder of its own, so the sandbox can hide other submissions' work areas. */
    private static Path workParent() {
        return Path.of(System.getProperty("java.io.tmpdir"), "attention-kit-grading").toAbsolutePath().normalize();
    }

    private static Path createWorkDir() {
        try {
            Path parent = workParent();
            Files.createDirectories(parent);
            try {
                Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException | IOException e) {
                // Not POSIX, or another user's folder: the work area itself is still private.
            }
            try {
                return Files.createTempDirectory(parent, "grade-");
            } catch (IOException e) {
                return Files.createTempDirectory("attention-kit-grade-"); // the shared folder belongs to someone else
            }
        } catch (IOException e) {
            throw new GradingException("Could not create a temporary work folder: " + e.getMessage(), e);
        }
    }

    /** This JVM's class path (the kit library, JUnit and the grader), as the tests need it. */
    static List<Path> currentClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).map(p -> p.toAbsolutePath().normalize()).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() || s.equals("all") ? null : s.strip();
    }
}
