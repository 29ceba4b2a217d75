package dev.attentionkit.grading;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line: {@code GradeMain [DIR|ZIP] [--json FILE] [options]}. Exit status 0 whenever
 * grading ran, whatever the score; 2 when the grader itself could not run.
 */
public final class GradeMain {
    static final String USAGE = """
            usage: GradeMain [SUBMISSION] [options]
              SUBMISSION            workspace folder (with src/main/java), folder of .java files, or .zip
                                    (default: exercises/). Relative paths resolve against --kit-root.
              --json FILE           also write Gradescope results.json to FILE
              --chapter chNN        grade one chapter only (package dev.attentionkit.exercises.chNN)
              --show-hidden         show names and messages of hidden tests
              --hints nudge|full    next to a failure: a nudge (default), or also the full recipe
              --seed N              draw the graded inputs from seed N (default: a fresh seed per submission,
                                    printed with the report, so a run can be repeated)
              --kit-root DIR        the kit's root folder (default: current folder)
              --tests DIR           graded test sources (default: graded/src/test/java)
              --hidden-tests DIR    hidden graded test sources (default: graded/src/hidden/java)
              --test-timeout SEC    wall-clock limit per test (default 20)
              --total-timeout SEC   wall-clock limit for all tests of a submission (default 300)
              --heap SIZE           -Xmx of the test JVM (default 1g)
              --no-sandbox          run tests without network/file isolation
              --no-reference-check  skip the bytecode rules (only to test the layers behind them)
              --keep-work           keep the temporary work folder (its path is printed)
              --batch DIR           grade every sub-folder / zip of DIR, named as Canvas, Moodle or Blackboard
                                    export them (others kept under their file name); writes gradebook.csv
                                    (one row per student, the latest submission graded) and feedback/
              --roster FILE         with --batch: the class list (CSV with a Student or First/Last name
                                    column, and ID/SIS/Username/Email columns): everyone gets a row, students
                                    not on it are flagged
              --out PATH            output folder for --batch (default DIR-results), zip for --gradescope
                                    and --release
              --release             write the students' hand-out zip (the exercise stubs and a README on how
                                    to submit; default build-results/attention-kit-exercises.zip)
              --jobs N              parallel submissions for --batch (default: number of cores)
              --gradescope          build the Gradescope autograder zip (see --out)
            """;

    private GradeMain() {
    }

    /** Entry point; see {@link #USAGE}. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs the command line, printing to {@code out}/{@code err}; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("grade: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (o.help) {
            out.print(USAGE);
            return 0;
        }
        try {
            Grader grader = o.grader();
            if (o.release) {
                Path zip = o.resolve(o.out != null ? o.out : "build-results/attention-kit-exercises.zip");
                List<String> names = Release.write(o.kitRoot(), zip);
                out.println("Hand-out written to " + zip + " (" + (names.size() - 1) + " stubs and README.txt under "
                        + Release.FOLDER + "/)");
                return 0;
            }
            if (o.roster != null && o.batch == null) {
                throw new GradingException("--roster goes with --batch DIR");
            }
            if (o.gradescope) {
                Path zip = o.resolve(o.out != null ? o.out : "build-results/gradescope-autograder.zip");
                GradescopePackager.build(o.kitRoot(), grader, zip, o.extraArgs()).forEach(w -> err.println("warning: " + w));
                out.println("Gradescope autograder written to " + zip);
                return 0;
            }
            if (o.batch != null) {
                Path dir = o.resolve(o.batch);
                Path outDir = o.out != null ? o.resolve(o.out) : dir.resolveSibling(dir.getFileName() + "-results");
                Roster roster = o.roster != null ? Roster.read(o.resolve(o.roster)) : null;
                Batch.Summary s = new Batch(grader, o.chapter, o.jobs, roster).run(dir, outDir, err);
                out.println("Graded " + s.graded() + " submission(s) in " + s.elapsed().toSeconds() + " s; " + s.rows()
                        + " student(s) in the gradebook " + s.gradebook() + ", feedback: " + s.feedbackDir());
                return 0;
            }
            Path submission = o.resolve(o.submission != null ? o.submission : "exercises");
            GradeReport report;
            try {
                report = grader.grade(submission, o.chapter).showingHidden(o.showHidden).withHints(o.hints);
            } catch (GradingException e) {
                if (o.json != null) {
                    writeFailureJson(grader, o.chapter, o.resolve(o.json), e.getMessage());
                }
                throw e;
            }
            out.print(report);
            if (o.json != null) {
                Path json = o.resolve(o.json);
                report.writeJson(json);
                out.println("results.json written to " + json);
            }
            return 0;
        } catch (GradingException e) {
            err.println("grade: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("grade: internal error: " + e);
            e.printStackTrace(err);
            return 3;
        }
    }

    /** Results.json for a submission that could not be graded: every test 0 with the reason, so Gradescope still shows it. */
    private static void writeFailureJson(Grader grader, String chapter, Path json, String why) {
        try {
            List<TestOutcome> zero = grader.tests(chapter).stream().map(t -> TestOutcome.fail(t, why, "")).toList();
            new GradeReport("", zero, List.of(why), Duration.ZERO, false).writeJson(json);
        } catch (GradingException e) {
            new GradeReport("", List.of(), List.of(why, e.getMessage()), Duration.ZERO, false).writeJson(json);
        }
    }

    /** Parsed command line. */
    static final class Options {
        String submission;
        String json;
        String chapter;
        String kitRoot = ".";
        String tests;
        String hiddenTests;
        String batch;
        String out;
        String roster;
        boolean gradescope;
        boolean release;
        boolean showHidden;
        boolean noSandbox;
        boolean noReferenceCheck;
        boolean keepWork;
        boolean help;
        Long seed;
        Hints hints = Hints.NUDGE;
        int jobs = Runtime.getRuntime().availableProcessors();
        Limits limits = Limits.defaults();
        final List<String> passThrough = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--json" -> o.json = value(args, ++i, a);
                    case "--chapter" -> o.chapter = value(args, ++i, a);
                    case "--kit-root" -> o.kitRoot = value(args, ++i, a);
                    case "--tests" -> o.tests = value(args, ++i, a);
                    case "--hidden-tests" -> o.hiddenTests = value(args, ++i, a);
                    case "--batch" -> o.batch = value(args, ++i, a);
                    case "--out" -> o.out = value(args, ++i, a);
                    case "--roster" -> o.roster = value(args, ++i, a);
                    case "--release" -> o.release = true;
                    case "--jobs" -> o.jobs = positive(value(args, ++i, a), a);
                    case "--test-timeout" -> {
                        o.limits = o.limits.withTestTimeout(Duration.ofSeconds(positive(value(args, ++i, a), a)));
                        o.passThrough.addAll(List.of(a, args[i]));
                    }
                    case "--total-timeout" -> {
                        o.limits = o.limits.withTotalTimeout(Duration.ofSeconds(positive(value(args, ++i, a), a)));
                        o.passThrough.addAll(List.of(a, args[i]));
                    }
                    case "--heap" -> {
                        String h = value(args, ++i, a);
                        if (!h.matches("\\d+[kKmMgG]?")) {
                            throw new IllegalArgumentException("--heap takes a size like 512m or 1g, not '" + h + "'");
                        }
                        o.limits = o.limits.withHeap(h);
                        o.passThrough.addAll(List.of(a, h));
                    }
                    case "--seed" -> {
                        String v = value(args, ++i, a);
                        try {
                            o.seed = Long.parseLong(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--seed takes a whole number (as printed with a report), not '" + v + "'");
                        }
                    }
                    case "--hints" -> {
                        String v = value(args, ++i, a);
                        o.hints = switch (v) {
                            case "nudge" -> Hints.NUDGE;
                            case "full" -> Hints.FULL;
                            default -> throw new IllegalArgumentException("--hints takes nudge or full, not '" + v + "'");
                        };
                    }
                    case "--gradescope" -> o.gradescope = true;
                    case "--show-hidden" -> o.showHidden = true;
                    case "--no-sandbox" -> o.noSandbox = true;
                    case "--no-reference-check" -> o.noReferenceCheck = true;
                    case "--keep-work" -> o.keepWork = true;
                    case "-h", "--help" -> o.help = true;
                    default -> {
                        if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        if (o.submission != null) {
                            throw new IllegalArgumentException("only one submission may be given (got '"
                                    + o.submission + "' and '" + a + "')");
                        }
                        o.submission = a;
                    }
                }
            }
            if (o.chapter != null && !o.chapter.matches("ch\\d\\d")) {
                throw new IllegalArgumentException("--chapter takes a chapter like ch01, not '" + o.chapter + "'");
            }
            return o;
        }

        Path kitRoot() {
            return Path.of(kitRoot).toAbsolutePath().normalize();
        }

        Path resolve(String p) {
            return kitRoot().resolve(p).normalize();
        }

        Grader grader() {
            Path root = kitRoot();
            if (!java.nio.file.Files.isDirectory(root)) {
                throw new GradingException("Kit root is not a folder: " + root);
            }
            Grader g = Grader.forKit(root).withLimits(noSandbox ? limits.withSandbox(false) : limits).keepingWork(keepWork);
            if (tests != null || hiddenTests != null) {
                g = g.withTests(tests != null ? resolve(tests) : root.resolve("graded/src/test/java"),
                        hiddenTests != null ? resolve(hiddenTests) : root.resolve("graded/src/hidden/java"));
            }
            if (noReferenceCheck) {
                g = g.withReferenceCheck(false);
            }
            return seed != null ? g.withSeed(seed) : g;
        }

        /** Options a packaged autograder should reuse. */
        List<String> extraArgs() {
            List<String> a = new ArrayList<>(passThrough);
            if (noSandbox) {
                a.add("--no-sandbox");
            }
            return a;
        }

        private static String value(String[] args, int i, String opt) {
            if (i >= args.length) {
                throw new IllegalArgumentException(opt + " needs a value");
            }
            return args[i];
        }

        private static int positive(String v, String opt) {
            try {
                int n = Integer.parseInt(v);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new IllegalArgumentException(opt + " takes a positive whole number, not '" + v + "'");
        }
    }
}
