package dev.attentionkit.grading;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/** Grades a folder of submissions (stage 2). */
final class Batch {
    record Summary(int graded, Duration elapsed, Path gradebook, Path feedbackDir) {
    }

    Batch(Grader grader, String chapter, int jobs) {
    }

    Summary run(Path dir, Path outDir, PrintStream progress) {
        throw new GradingException("--batch is not implemented yet");
    }
}
