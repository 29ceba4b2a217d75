package dev.attentionkit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.data.DateDataset;
import dev.attentionkit.data.DateSplits;
import dev.attentionkit.longrange.ClassifierKind;
import dev.attentionkit.longrange.LongRangeClassifier;
import dev.attentionkit.longrange.LongRangeConfig;
import dev.attentionkit.longrange.LongRangeExample;
import dev.attentionkit.longrange.LongRangeTask;
import dev.attentionkit.seq2seq.AttentionKind;
import dev.attentionkit.seq2seq.DateTranslator;
import dev.attentionkit.seq2seq.Seq2SeqConfig;
import dev.attentionkit.seq2seq.Seq2SeqTraining;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Interrupt (as JJava sends it: the cell's thread is interrupted) stops the training loops between batches. */
@DisplayName("StoppedByInterrupt: the training loops stop on Interrupt and keep the last finished weights")
class StoppedByInterruptTest {
    private static final Seq2SeqConfig TINY = new Seq2SeqConfig(AttentionKind.LUONG, 8, 8, 16, 8, 30, 256, 32, 32,
        64, 1, 0.01, 3);

    @Test
    @DisplayName("check throws only when interrupted, and clears the flag so the next cell runs")
    void check() {
        StoppedByInterrupt.check(() -> "never built");
        Thread.currentThread().interrupt();
        StoppedByInterrupt e = assertThrows(StoppedByInterrupt.class, () -> StoppedByInterrupt.check(() -> "stopped here"));
        assertEquals("stopped here", e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt flag is cleared");
    }

    @Test
    @DisplayName("seq2seq training interrupted before its first batch: no weight changes, the message says where")
    void seq2seqBeforeFirstBatch() {
        DateSplits splits = DateDataset.splits(TINY.trainSize(), TINY.validationSize(), TINY.testSize(), TINY.seed());
        DateTranslator model = DateTranslator.create(TINY, splits.inputVocabulary(), splits.outputVocabulary());
        double before = model.loss(splits.train());
        Thread.currentThread().interrupt();
        StoppedByInterrupt e = assertThrows(StoppedByInterrupt.class, () -> Seq2SeqTraining.train(model, splits));
        int batches = (TINY.trainSize() + TINY.batchSize() - 1) / TINY.batchSize();
        assertEquals("training LUONG interrupted after 0 of " + TINY.epochs() + " epochs (0 of " + batches
            + " batches into epoch 1); the model keeps the weights of the last finished batch", e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted());
        assertEquals(before, model.loss(splits.train()), 0.0, "no Adam step was taken");
    }

    @Test
    @DisplayName("long-range training interrupted from another thread stops within one batch")
    void longRangeWhileRunning() throws InterruptedException {
        LongRangeConfig config = new LongRangeConfig(10, 8, 2, 64, 10, 8, 100_000, 0.01, 3, 1);   // 8 batches, 100 000 epochs
        List<LongRangeExample> data = LongRangeTask.mixed(64, 10, 4);
        LongRangeClassifier model = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, config);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread training = new Thread(() -> {
            try {
                model.train(data);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        training.start();
        Thread.sleep(1500);
        assertTrue(training.isAlive(), "still training before the interrupt");
        training.interrupt();
        training.join(60_000);   // a liveness bound, not a timing: one batch takes milliseconds
        assertFalse(training.isAlive(), "training stopped after the interrupt");
        assertNotNull(thrown.get(), "training ended with an exception");
        assertTrue(thrown.get() instanceof StoppedByInterrupt, String.valueOf(thrown.get()));
        assertTrue(thrown.get().getMessage().matches("training TRANSFORMER interrupted after \\d+ of 100000 epochs "
            + "\\(\\d of 8 batches into epoch \\d+\\); the model keeps the weights of the last finished batch"),
            thrown.get().getMessage());
    }
}
