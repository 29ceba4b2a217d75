package dev.attentionkit.seq2seq;

import dev.attentionkit.data.DateDataset;
import dev.attentionkit.data.DateSplits;
import java.util.Locale;

/**
 * The reproducible timing harness: trains one model from scratch and prints its time and test accuracy.
 *
 * <pre>
 * java -cp lib/target/classes:$(cat lib/target/runtime-classpath.txt) \
 *     dev.attentionkit.seq2seq.TrainDateTranslator [bahdanau|luong|luong_dot|luong_location|none] [epochs]
 * </pre>
 *
 * {@code ATTENTION_KIT_PROFILE=ci} selects the small configuration.
 */
public final class TrainDateTranslator {
    private TrainDateTranslator() {}

    public static void main(String[] args) {
        // As in notebook 07: small arrays, so one thread per operation (several times faster on 2 cores).
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(1);
        Seq2SeqConfig config = Seq2SeqConfig.fromEnvironment();
        if (args.length > 0) {
            config = config.withAttention(AttentionKind.valueOf(args[0].toUpperCase(Locale.ROOT)));
        }
        if (args.length > 1) {
            config = config.withEpochs(Integer.parseInt(args[1]));
        }
        System.out.println(config);
        long start = System.nanoTime();
        DateSplits splits = DateDataset.splits(config.trainSize(), config.validationSize(), config.testSize(),
            config.seed());
        DateTranslator model = DateTranslator.create(config, splits.inputVocabulary(), splits.outputVocabulary());
        TrainingHistory history = Seq2SeqTraining.train(model, splits);
        for (EpochStats e : history.epochs()) {
            System.out.printf(Locale.ROOT, "epoch %2d  loss %.4f  validation loss %.4f  accuracy %.2f%%  %.1f s%n",
                e.epoch(), e.trainLoss(), e.validationLoss(), 100 * e.validationAccuracy(), e.seconds());
        }
        double test = model.accuracy(splits.test());
        System.out.printf(Locale.ROOT, "%s: test exact match %.2f%% (%d examples); training %.1f s; total %.1f s "
                + "(data, graph, training, test)%n", config.attention(), 100 * test, splits.test().size(),
            history.trainSeconds(), (System.nanoTime() - start) / 1e9);
    }
}
