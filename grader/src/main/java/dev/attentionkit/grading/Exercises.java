package dev.attentionkit.grading;

import dev.attentionkit.notebook.Progress;
import dev.attentionkit.notebook.StoppedByInterrupt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The one-line exercise check for notebooks: {@code Exercises.check("ch01")} grades the learner's own
 * {@code exercises/} for that chapter exactly as {@code ./kit grade} does, and returns the report,
 * which the kit's kernel shows as a table with points and hints.
 */
public final class Exercises {
    private Exercises() {}

    /**
     * Grades one chapter of the learner's workspace: the {@code exercises/} folder beside the notebook's
     * folder (each JupyterHub user's own copy), else the kit's {@code exercises/}.
     *
     * @param chapter e.g. {@code "ch01"}
     * @return the report; in a notebook it renders as a table
     * @throws IllegalStateException when the kit's folder cannot be found (the kernel was not started by {@code ./kit lab})
     * @throws StoppedByInterrupt on Interrupt: at once, while the grading stops its test JVMs behind it
     */
    public static GradeReport check(String chapter) {
        return check(chapter, Hints.NUDGE);
    }

    /**
     * Grades one chapter like {@link #check(String)}, with {@code hints} next to failures: {@code Hints.FULL} adds
     * the full recipe, for a second call after trying with the nudges.
     */
    public static GradeReport check(String chapter, Hints hints) {
        Path root = kitRoot();
        Path workspace = workspace(root, Path.of("").toAbsolutePath());
        try (Progress progress = Progress.start("checking " + chapter, 0)) {
            progress.step(0, "compiling your exercises and running the graded tests");
            // Graded on a thread of its own, so Interrupt returns the cell at once even while javac runs
            // (the grading thread is interrupted too: it kills its test JVMs and deletes its work folder).
            FutureTask<GradeReport> grading = new FutureTask<>(() -> Grader.grade(root, workspace, chapter).withHints(hints));
            Thread worker = new Thread(grading, "attention-kit grading " + chapter);
            worker.setDaemon(true);
            worker.start();
            try {
                return grading.get();
            } catch (InterruptedException e) {
                worker.interrupt();
                Thread.currentThread().interrupt();
                progress.stopIfInterrupted(() -> "checking " + chapter + " interrupted: nothing was graded");
                throw new StoppedByInterrupt("checking " + chapter + " interrupted");   // not reached
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new GradingException("Grading " + chapter + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** {@link #check(String, Hints)} with the full recipes: the second call, after trying with the nudges. */
    public static GradeReport hints(String chapter) {
        return check(chapter, Hints.FULL);
    }

    /**
     * The workspace a notebook in {@code notebookDir} checks: the nearest {@code exercises/} (with
     * {@code src/main/java}) in that folder or above it, else the kit's own.
     */
    static Path workspace(Path kitRoot, Path notebookDir) {
        for (Path dir = notebookDir; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("exercises");
            if (Files.isDirectory(candidate.resolve("src/main/java"))) {
                return candidate;
            }
        }
        return kitRoot.resolve("exercises");
    }

    /** The kit's root: where {@code ./kit lab} said it is, or the nearest folder above with {@code kit} and {@code graded/}. */
    static Path kitRoot() {
        String fromKernel = System.getenv("ATTENTION_KIT_ROOT");
        if (fromKernel != null && !fromKernel.isBlank()) {
            return Path.of(fromKernel);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("kit")) && Files.isDirectory(dir.resolve("graded"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find the attention-kit folder: start JupyterLab with ./kit lab "
            + "from the kit's folder (it tells the kernel where the exercises are).");
    }
}
