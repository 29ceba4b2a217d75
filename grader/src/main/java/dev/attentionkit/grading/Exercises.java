package dev.attentionkit.grading;

import dev.attentionkit.notebook.Progress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one-line exercise check for notebooks: {@code Exercises.check("ch01")} grades the learner's own
 * {@code exercises/} for that chapter exactly as {@code ./kit grade} does, and returns the report,
 * which the kit's kernel shows as a table with points and hints.
 */
public final class Exercises {
    private Exercises() {}

    /**
     * Grades one chapter of the learner's workspace.
     *
     * @param chapter e.g. {@code "ch01"}
     * @return the report; in a notebook it renders as a table
     * @throws IllegalStateException when the kit's folder cannot be found (the kernel was not started by {@code ./kit lab})
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
        try (Progress progress = Progress.start("checking " + chapter, 0)) {
            progress.step(0, "compiling your exercises and running the graded tests");
            return Grader.grade(root, root.resolve("exercises"), chapter).withHints(hints);
        }
    }

    /** {@link #check(String, Hints)} with the full recipes: the second call, after trying with the nudges. */
    public static GradeReport hints(String chapter) {
        return check(chapter, Hints.FULL);
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
