package dev.attentionkit.seq2seq;

import dev.attentionkit.data.DateExample;
import dev.attentionkit.data.DateSplits;
import dev.attentionkit.notebook.Progress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The training loop: shuffle, Adam step per batch, and after each epoch the loss (computed, not taken from
 * SameDiff's listeners) and the validation accuracy, shown on a {@link Progress} line. Interrupt (in a
 * notebook) stops it before the next batch with a {@link dev.attentionkit.notebook.StoppedByInterrupt}; the model keeps the weights
 * of the last finished batch.
 */
public final class Seq2SeqTraining {
    /** Training examples whose loss is reported after each epoch (a fixed sample keeps evaluation cheap). */
    private static final int LOSS_SAMPLE = 500;

    private Seq2SeqTraining() {}

    /**
     * A fresh model for {@code config} trained on {@code splits}, with a progress line.
     *
     * @throws dev.attentionkit.notebook.StoppedByInterrupt when the thread is interrupted (Interrupt in a notebook)
     */
    public static TrainingHistory train(DateTranslator model, DateSplits splits) {
        Seq2SeqConfig config = model.config();
        List<DateExample> train = new ArrayList<>(splits.train());
        List<DateExample> lossSample = train.subList(0, Math.min(LOSS_SAMPLE, train.size()));
        lossSample = List.copyOf(lossSample);
        Random random = new Random(config.seed());
        List<EpochStats> epochs = new ArrayList<>();
        long start = System.nanoTime();
        int batches = (train.size() + config.batchSize() - 1) / config.batchSize();
        try (Progress progress = Progress.start("training " + config.attention(), (long) config.epochs() * batches)) {
            String last = "";
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                Collections.shuffle(train, random);
                for (int b = 0; b < batches; b++) {
                    stopIfInterrupted(progress, config, epoch, b, batches);
                    int from = b * config.batchSize();
                    model.fitBatch(train.subList(from, Math.min(from + config.batchSize(), train.size())));
                    progress.step((long) (epoch - 1) * batches + b + 1,
                        String.format(Locale.ROOT, "epoch %d/%d %s", epoch, config.epochs(), last));
                }
                stopIfInterrupted(progress, config, epoch, batches, batches);
                double trainLoss = model.loss(lossSample);
                double validationLoss = model.loss(splits.validation());
                double accuracy = model.accuracy(splits.validation());
                double seconds = (System.nanoTime() - start) / 1e9;
                epochs.add(new EpochStats(epoch, trainLoss, validationLoss, accuracy, seconds));
                last = String.format(Locale.ROOT, "| loss %.4f, validation accuracy %.1f%%", trainLoss, 100 * accuracy);
                progress.step((long) epoch * batches, String.format(Locale.ROOT, "epoch %d/%d %s", epoch,
                    config.epochs(), last));
            }
        }
        return new TrainingHistory(List.copyOf(epochs), (System.nanoTime() - start) / 1e9);
    }

    private static void stopIfInterrupted(Progress progress, Seq2SeqConfig config, int epoch, int batch, int batches) {
        progress.stopIfInterrupted(() -> String.format(Locale.ROOT, "training %s interrupted after %d of %d epochs "
            + "(%d of %d batches into epoch %d); the model keeps the weights of the last finished batch",
            config.attention(), epoch - 1, config.epochs(), batch, batches, epoch));
    }
}
