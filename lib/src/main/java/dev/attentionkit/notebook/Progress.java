package dev.attentionkit.notebook;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A live progress line for long-running work (training, benchmarks, grading): in a notebook one line
 * that updates in place, in a terminal a line printed at most once a second.
 *
 * <pre>{@code
 * try (Progress progress = Progress.start("training", epochs)) {
 *     for (int e = 1; e <= epochs; e++) {
 *         ...
 *         progress.step(e, String.format("loss %.4f", loss));
 *     }
 * }
 * }</pre>
 *
 * Loops call {@link #stopIfInterrupted} once per step so that Interrupt stops them (JJava's Interrupt
 * only interrupts the cell's thread). The kit's JJava extension ({@code dev.attentionkit.kernel.KitExtension}) connects {@link #useDisplay} to JJava's {@code display} and
 * {@code updateDisplay}; without it (tests, command line) progress goes to standard error.
 */
public final class Progress implements AutoCloseable {
    private static volatile Function<String, String> openDisplay;
    private static volatile BiConsumer<String, String> updateDisplay;

    private final String label;
    private final long total;
    private final long started = System.nanoTime();
    private final String displayId;
    private final PrintStream console;
    private long lastPrinted;
    private String last = "";
    private boolean stopped;

    private Progress(String label, long total) {
        this.label = label;
        this.total = total;
        Function<String, String> open = openDisplay;
        this.displayId = open == null ? null : open.apply(html(label + ": starting"));
        this.console = open == null ? System.err : null;
    }

    /**
     * Connects progress lines to a notebook: {@code open} shows HTML and returns a display id,
     * {@code update} replaces what that id shows. Called by the kit's JJava extension when the kernel starts.
     */
    public static void useDisplay(Function<String, String> open, BiConsumer<String, String> update) {
        openDisplay = open;
        updateDisplay = update;
    }

    /** Starts a progress line for {@code total} steps (0 when the count is unknown). */
    public static Progress start(String label, long total) {
        return new Progress(label, total);
    }

    /** Reports that {@code done} steps are finished, with a short detail such as the current loss. */
    public void step(long done, String detail) {
        String counter = total > 0 ? String.format(Locale.ROOT, "%d/%d %s ", done, total, bar(done)) : "";
        last = String.format(Locale.ROOT, "%s: %s%s (%.1f s)", label, counter, detail == null ? "" : detail, seconds());
        show(false);
    }

    /**
     * Stops the work on Interrupt: when the current thread was interrupted, clears the flag, shows
     * {@code where} on this progress line (so the learner reads it under the cell) and throws.
     *
     * @param where e.g. "training LUONG interrupted after 3 of 40 epochs ...", built only when needed
     * @throws StoppedByInterrupt after Interrupt
     */
    public void stopIfInterrupted(Supplier<String> where) {
        if (Thread.interrupted()) {
            String message = where.get();
            last = String.format(Locale.ROOT, "%s (%.1f s)", message, seconds());
            show(true);
            stopped = true;
            throw new StoppedByInterrupt(message);
        }
    }

    /** Shows the final line: the last step's for counted work, "done" with the time for uncounted work. */
    @Override
    public void close() {
        if (stopped) {
            return;   // the line already says where the work stopped
        }
        if (total <= 0) {
            last = String.format(Locale.ROOT, "%s: done (%.1f s)", label, seconds());
        }
        if (!last.isEmpty()) {
            show(true);
        }
    }

    private double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    private void show(boolean force) {
        if (Thread.currentThread().isInterrupted()) {
            return;   // JJava's messaging fails on an interrupted thread; stopIfInterrupted shows the line
        }
        if (displayId != null) {
            updateDisplay.accept(displayId, html(last));
            return;
        }
        long now = System.nanoTime();
        if (force || now - lastPrinted > 1_000_000_000L) {
            console.println(last);
            lastPrinted = now;
        }
    }

    private String bar(long done) {
        int width = 20;
        int filled = (int) Math.min(width, Math.max(0, done * width / total));
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    private static String html(String text) {
        return "<pre style=\"margin:0\">" + Html.escape(text) + "</pre>";
    }
}
