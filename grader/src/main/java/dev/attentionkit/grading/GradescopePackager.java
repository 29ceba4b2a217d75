package dev.attentionkit.grading;

import java.nio.file.Path;
import java.util.List;

/** Builds the Gradescope autograder zip (stage 2). */
final class GradescopePackager {
    private GradescopePackager() {
    }

    static void build(Path kitRoot, Grader grader, Path zip, List<String> args) {
        throw new GradingException("--gradescope is not implemented yet");
    }
}
