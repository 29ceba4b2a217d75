package dev.attentionkit.grading;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attentionkit.notebook.HtmlDisplay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The grades of one submission: a text table ({@link #toString()}), an HTML table for notebooks
 * ({@link #toHtml()}) and Gradescope's results.json ({@link #toGradescopeJson()}).
 *
 * <p>Hidden tests count towards {@link #score()}, but the learner-facing renderings show
 * neither their names nor their messages unless {@link #showingHidden(boolean)} is on.
 *
 * @param submission  what was graded (path as given)
 * @param outcomes    one outcome per graded test, in test order
 * @param warnings    problems the learner should see first (compile errors, rejected files, sandbox)
 * @param elapsed     wall time of the grading
 * @param showHidden  whether hidden tests are rendered in full
 * @param seed        the seed the graded tests drew their random inputs from ({@code --seed} reproduces the run);
 *                    0 when no test ran
 * @param hints       how much help failures show: the nudge, or also the full recipe
 * @param isolation   how the student code was confined (results.json's {@code isolation})
 */
public record GradeReport(String submission, List<TestOutcome> outcomes, List<String> warnings,
                          Duration elapsed, boolean showHidden, long seed, Hints hints, Isolation isolation)
        implements HtmlDisplay {
    private static final int REASON_WIDTH = 90;

    /** Copies the lists. */
    public GradeReport {
        outcomes = List.copyOf(outcomes);
        warnings = List.copyOf(warnings);
        isolation = isolation == null ? Isolation.UNKNOWN : isolation;
        hints = hints == null ? Hints.NUDGE : hints;
    }

    /** A report of a run without graded inputs or isolation details (nothing ran): seed 0. */
    public GradeReport(String submission, List<TestOutcome> outcomes, List<String> warnings, Duration elapsed,
                       boolean showHidden) {
        this(submission, outcomes, warnings, elapsed, showHidden, 0L, Hints.NUDGE, Isolation.UNKNOWN);
    }

    /** A report that shows the nudges only, without isolation details. */
    public GradeReport(String submission, List<TestOutcome> outcomes, List<String> warnings, Duration elapsed,
                       boolean showHidden, long seed) {
        this(submission, outcomes, warnings, elapsed, showHidden, seed, Hints.NUDGE, Isolation.UNKNOWN);
    }

    /** A report with isolation details, seed 0, nudges only. */
    public GradeReport(String submission, List<TestOutcome> outcomes, List<String> warnings, Duration elapsed,
                       boolean showHidden, Isolation isolation) {
        this(submission, outcomes, warnings, elapsed, showHidden, 0L, Hints.NUDGE, isolation);
    }

    /** This report, showing {@code h} next to failures (the full recipe only with {@link Hints#FULL}). */
    public GradeReport withHints(Hints h) {
        return new GradeReport(submission, outcomes, warnings, elapsed, showHidden, seed, h, isolation);
    }

    /** Whether a failed test has a recipe that this report does not show yet. */
    private boolean recipeWithheld() {
        return hints != Hints.FULL && outcomes.stream().anyMatch(o -> visible(o) && !o.passed() && !o.test().recipe().isEmpty());
    }

    /** The line that says how to see the full recipes. */
    static final String FULL_HINTS_LINE = "Stuck after trying? The full recipe for each failing test: ./kit grade --hints full, "
            + "or Exercises.hints(\"chNN\") in a notebook.";

    /** Points earned, hidden tests included. */
    public int score() {
        return outcomes.stream().mapToInt(TestOutcome::score).sum();
    }

    /** Points possible, hidden tests included. */
    public int maxScore() {
        return outcomes.stream().mapToInt(o -> o.test().points()).sum();
    }

    /** This report, rendering hidden tests in full when {@code show}. */
    public GradeReport showingHidden(boolean show) {
        return new GradeReport(submission, outcomes, warnings, elapsed, show, seed, hints, isolation);
    }

    /** The outcome of the test {@code Class#method} (simple or qualified class name). */
    public TestOutcome outcome(String key) {
        return outcomes.stream().filter(o -> o.test().key().equals(key) || o.test().key().endsWith("." + key))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("No graded test " + key));
    }

    private boolean visible(TestOutcome o) {
        return showHidden || !o.test().hidden();
    }

    /** The text table: one row per test grouped by chapter and class, failure reasons and hints, totals. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (String w : warnings) {
            b.append("! ").append(w.replace("\n", "\n  ")).append('\n');
        }
        if (!warnings.isEmpty()) {
            b.append('\n');
        }
        String group = null;
        int shownScore = 0;
        int shownMax = 0;
        int hiddenCount = 0;
        int hiddenMax = 0;
        for (TestOutcome o : outcomes) {
            if (!visible(o)) {
                hiddenCount++;
                hiddenMax += o.test().points();
                continue;
            }
            shownScore += o.score();
            shownMax += o.test().points();
            String g = o.test().group();
            if (!g.equals(group)) {
                group = g;
                b.append(g).append('\n');
            }
            b.append(String.format(Locale.ROOT, "  %s %-58s %3d / %-3d%n", o.passed() ? "PASS" : "FAIL",
                    clip((o.test().hidden() ? "[hidden] " : "") + o.test().displayName(), 58), o.score(), o.test().points()));
            if (!o.passed()) {
                b.append("       ").append(clip(o.reason(), REASON_WIDTH)).append('\n');
                if (!o.test().hint().isEmpty()) {
                    b.append("       hint: ").append(o.test().hint().replace('\n', ' ')).append('\n');
                }
                if (hints == Hints.FULL && !o.test().recipe().isEmpty()) {
                    b.append("       recipe: ").append(o.test().recipe()).append('\n');
                }
            }
        }
        if (hiddenCount > 0) {
            b.append(String.format(Locale.ROOT, "%n  %d hidden test(s) worth %d point(s): results withheld%n", hiddenCount, hiddenMax));
        }
        if (seed != 0) {
            b.append('\n').append(seedLine()).append('\n');
        }
        if (recipeWithheld()) {
            b.append(seed != 0 ? "" : "\n").append(FULL_HINTS_LINE).append('\n');
        }
        b.append(String.format(Locale.ROOT, "%nTotal: %d / %d points%s%n", shownScore, shownMax,
                hiddenCount > 0 ? " (visible tests)" : ""));
        b.append(nextStep()).append('\n');
        return b.toString();
    }

    /** Where the graded inputs came from, so a run can be repeated exactly. */
    private String seedLine() {
        return "Graded inputs drawn from seed " + seed + " (repeat this run with --seed " + seed + ").";
    }

    /** A line for self-paced learners: what to work on next. */
    private String nextStep() {
        List<TestOutcome> failing = outcomes.stream().filter(o -> visible(o) && !o.passed()).toList();
        if (failing.isEmpty()) {
            return "All shown tests pass. Well done!";
        }
        TestOutcome first = failing.get(0);
        return failing.size() + " test(s) to go. Next: \"" + first.test().displayName() + "\" ("
                + first.test().group() + ").";
    }

    /** An HTML table for notebooks, with a green/red mark, points, reason and hint per test. */
    @Override
    public String toHtml() {
        StringBuilder b = new StringBuilder("<div class=\"ak-grade\">");
        for (String w : warnings) {
            if (w.equals(Sandbox.ROOT_NPROC_WARNING)) {
                continue; // about trusting the grade, which the instructor's outputs report; a learner's self-check needs no alarm
            }
            b.append("<pre style=\"color:#a40\">").append(Text.html(w)).append("</pre>");
        }
        // Left-aligned: JupyterLab right-aligns table cells by default, which makes sentences hard to read.
        b.append("<table style=\"text-align:left\"><thead><tr><th></th><th style=\"text-align:left\">Test</th><th>Points</th>"
                + "<th style=\"text-align:left\">Why / hint</th></tr></thead><tbody>");
        String group = null;
        int shownScore = 0;
        int shownMax = 0;
        for (TestOutcome o : outcomes) {
            if (!visible(o)) {
                continue;
            }
            shownScore += o.score();
            shownMax += o.test().points();
            String g = o.test().group();
            if (!g.equals(group)) {
                group = g;
                b.append("<tr><th colspan=\"4\" style=\"text-align:left\">").append(Text.html(g)).append("</th></tr>");
            }
            b.append("<tr><td>").append(o.passed() ? "<span style=\"color:green\">&#10004;</span>"
                    : "<span style=\"color:#c00\">&#10008;</span>")
                    .append("</td><td style=\"text-align:left\">").append(Text.html(o.test().displayName()))
                    .append("</td><td>").append(o.score()).append(" / ").append(o.test().points())
                    .append("</td><td style=\"text-align:left\">");
            if (!o.passed()) {
                b.append("<code>").append(Text.html(clip(o.reason(), 300))).append("</code>");
                if (!o.test().hint().isEmpty()) {
                    b.append("<br><i>Hint: ").append(Text.html(o.test().hint())).append("</i>");
                }
                if (hints == Hints.FULL && !o.test().recipe().isEmpty()) {
                    b.append("<br>Recipe: ").append(Text.html(o.test().recipe()));
                }
            }
            b.append("</td></tr>");
        }
        b.append("</tbody><tfoot><tr><th></th><th>Total</th><th>").append(shownScore).append(" / ").append(shownMax)
                .append("</th><th></th></tr></tfoot></table>");
        if (recipeWithheld()) {
            b.append("<p><i>Stuck after trying? <code>Exercises.hints(\"chNN\")</code> (this chapter's number) shows the full recipe "
                    + "for each failing test.</i></p>");
        }
        b.append("</div>");
        return b.toString();
    }

    /**
     * Gradescope's results.json: top-level {@code score}, {@code execution_time}, {@code output}
     * and {@code tests} with {@code name}, {@code score}, {@code max_score}, {@code status},
     * {@code output} and {@code visibility} ("after_published" for hidden tests).
     */
    public String toGradescopeJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("score", score());
        root.put("execution_time", Math.max(0, elapsed.toSeconds()));
        root.put("output", String.join("\n\n", seed == 0 ? warnings
                : java.util.stream.Stream.concat(warnings.stream(), java.util.stream.Stream.of(seedLine())).toList()));
        root.put("output_format", "text");
        // The autograder's own stdout may name hidden tests: only instructors see it.
        root.put("stdout_visibility", "hidden");
        ObjectNode iso = root.putObject("isolation");
        iso.put("sandbox", isolation.sandbox());
        isolation.layers().forEach(iso.putArray("layers")::add);
        isolation.missing().forEach(iso.putArray("missing")::add);
        iso.put("verdicts", isolation.verdicts());
        ArrayNode tests = root.putArray("tests");
        int number = 1;
        for (TestOutcome o : outcomes) {
            ObjectNode t = tests.addObject();
            t.put("name", o.test().group() + ": " + o.test().displayName());
            t.put("number", Integer.toString(number++));
            t.put("score", o.score());
            t.put("max_score", o.test().points());
            t.put("status", o.passed() ? "passed" : "failed");
            StringBuilder out = new StringBuilder();
            if (!o.passed()) {
                out.append(o.reason());
                if (!o.test().hint().isEmpty()) {
                    out.append("\nHint: ").append(o.test().hint());
                }
                if (hints == Hints.FULL && !o.test().recipe().isEmpty()) {
                    out.append("\nRecipe: ").append(o.test().recipe());
                }
            }
            if (!o.output().isBlank()) {
                out.append(out.length() > 0 ? "\n\n" : "").append(Text.cap(o.output(), 6000));
            }
            t.put("output", out.toString());
            t.putArray("tags").add(o.test().chapter());
            t.put("visibility", o.test().hidden() ? "after_published" : "visible");
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@link #toGradescopeJson()} to {@code file} (parent folders created). */
    public void writeJson(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toGradescopeJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GradingException("Could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String clip(String s, int width) {
        String one = s.replace('\n', ' ');
        return one.length() <= width ? one : one.substring(0, width - 3) + "...";
    }
}
