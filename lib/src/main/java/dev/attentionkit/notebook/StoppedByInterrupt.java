package dev.attentionkit.notebook;

import java.util.function.Supplier;

/**
 * Thrown by the kit's long-running loops (training, grading) when the learner presses Interrupt.
 *
 * <p>JJava 1.0a8's Interrupt cancels the cell: the notebook gets its reply ("Evaluator was interrupted")
 * at once, but the code keeps running on its thread, which is only interrupted; a loop that never looks
 * at the flag trains on in the background. The kit's loops call {@link Progress#stopIfInterrupted} (or
 * {@link #check}) once per step, so they stop within one step, and their progress line under the cell
 * says where they stopped and what is kept. The flag is cleared when this is thrown.
 */
public final class StoppedByInterrupt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param where e.g. "training LUONG interrupted in epoch 4 of 40 ...; the model keeps ..." */
    public StoppedByInterrupt(String where) {
        super(where);
    }

    /**
     * Throws when the current thread was interrupted (and clears the flag); otherwise does nothing.
     *
     * @param where the message, built only when it is needed
     * @throws StoppedByInterrupt after Interrupt
     */
    public static void check(Supplier<String> where) {
        if (Thread.interrupted()) {
            throw new StoppedByInterrupt(where.get());
        }
    }
}
