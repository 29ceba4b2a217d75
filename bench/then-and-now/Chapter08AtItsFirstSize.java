import dev.attentionkit.longrange.ClassifierKind;
import dev.attentionkit.longrange.LongRangeClassifier;
import dev.attentionkit.longrange.LongRangeConfig;
import dev.attentionkit.longrange.LongRangeExample;
import dev.attentionkit.longrange.LongRangeTask;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chapter 08's training at the size it had when issue 12 was filed (commit 94ee7ab: 24 tokens, width 32, 2 heads,
 * 3000 training sequences, batch 32, 12 epochs, one seed), trained with today's classifiers. Prints the seconds per
 * model, as the notebook of that commit printed them.
 */
public class Chapter08AtItsFirstSize {
    public static void main(String[] args) {
        Nd4j.getEnvironment().setMaxThreads(1);          // as notebook 08 sets it, then and now
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        // 11 pairs = 24 tokens, as the first chapter 08's length 24
        LongRangeConfig config = new LongRangeConfig(11, 32, 2, 3_000, 16, 32, 12, 0.01, 7, 1);
        List<LongRangeExample> train = LongRangeTask.mixed(config.trainSize(), config.pairs(), config.seed());
        System.out.println(config + ", " + config.length() + " tokens");
        double total = 0;
        for (ClassifierKind kind : ClassifierKind.values()) {
            long t0 = System.nanoTime();
            LongRangeClassifier m = LongRangeClassifier.create(kind, config);
            m.train(train);
            double s = (System.nanoTime() - t0) / 1e9;
            total += s;
            int steps = config.epochs() * ((config.trainSize() + config.batchSize() - 1) / config.batchSize());
            System.out.printf("%-15s %6d parameters %5d Adam steps  %6.1f s%n", kind, m.parameterCount(), steps, s);
        }
        System.out.printf("all three %6.1f s (OPENBLAS_CORETYPE=%s)%n", total, System.getenv("OPENBLAS_CORETYPE"));
    }
}
