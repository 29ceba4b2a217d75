package dev.attentionkit.seq2seq;

import dev.attentionkit.data.DateDataset;
import dev.attentionkit.data.DateExample;
import dev.attentionkit.data.DateSplits;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Chapter 07's centre-piece, Bahdanau et al.'s classic picture: accuracy against input length for each model,
 * over several seeds. Dates sit inside filler sentences ({@link DateDataset#inSentences}); every model of a seed
 * trains on the same sentences, and is tested on the same sentences of each length band.
 *
 * <p>Timings are CPU seconds of the training thread (ND4J runs one thread per operation here), taken after a
 * warm-up that builds and trains every kind of model for a few batches first, so the first model trained does
 * not pay for the JIT compiler, and a busy machine does not stretch them.
 */
public final class LengthStudy {
    private LengthStudy() {}

    /**
     * @param base          sizes and training settings ({@code attention} and {@code seed} are replaced)
     * @param models        the models to compare
     * @param seeds         one run per model and seed (data, initial weights, shuffling)
     * @param bands         input-length bands {@code [from, to]}, inclusive, within {@code 8..base.sourceLength()}
     * @param testPerBand   test sentences per band
     * @param warmUpBatches Adam steps of an untimed model of each kind before the first timed run
     */
    public record Setup(Seq2SeqConfig base, List<AttentionKind> models, List<Long> seeds, List<int[]> bands,
                        int testPerBand, int warmUpBatches) {
        public Setup {
            if (models.isEmpty() || seeds.isEmpty() || bands.isEmpty() || testPerBand <= 0) {
                throw new IllegalArgumentException("need at least one model, seed and band, and testPerBand > 0");
            }
            for (int[] b : bands) {
                if (b.length != 2 || b[0] < 8 || b[0] > b[1] || b[1] > base.sourceLength()) {
                    throw new IllegalArgumentException("a band is [from, to] with 8 ≤ from ≤ to ≤ sourceLength "
                        + base.sourceLength() + ", got " + java.util.Arrays.toString(b));
                }
            }
        }

        /** "24–31" */
        public String band(int i) {
            return bands.get(i)[0] + "–" + bands.get(i)[1];
        }
    }

    /**
     * One trained model.
     *
     * @param exactMatch        per band, the fraction of test dates translated exactly
     * @param characterAccuracy per band, the fraction of the ten output characters right
     * @param trainCpuSeconds   CPU time of training (the thread's), evaluations included
     * @param translator        the trained model
     */
    public record Run(AttentionKind model, long seed, double[] exactMatch, double[] characterAccuracy,
                      double trainCpuSeconds, TrainingHistory history, DateTranslator translator) {}

    /** Every run of a study. */
    public record Result(Setup setup, List<Run> runs) {
        /** The run of {@code model} with {@code seed}. */
        public Run run(AttentionKind model, long seed) {
            return runs.stream().filter(r -> r.model() == model && r.seed() == seed).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no run of " + model + " with seed " + seed));
        }

        private List<Run> of(AttentionKind model) {
            return runs.stream().filter(r -> r.model() == model).toList();
        }

        /** Mean and sample standard deviation of {@code values}. */
        public static double[] meanSd(double[] values) {
            double mean = 0;
            for (double v : values) {
                mean += v / values.length;
            }
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            return new double[] {mean, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0};
        }

        private double[] across(AttentionKind model, int band, boolean exact) {
            return of(model).stream().mapToDouble(r -> 100 * (exact ? r.exactMatch() : r.characterAccuracy())[band])
                .toArray();
        }

        /** Mean ± sd (in %) over seeds of {@code model} on {@code band}. */
        public double[] stats(AttentionKind model, int band, boolean exact) {
            return meanSd(across(model, band, exact));
        }

        /** One row per model and band: exact match and character accuracy, mean ± sd over the seeds, in %. */
        public Table table() {
            StringColumn model = StringColumn.create("model");
            StringColumn band = StringColumn.create("input length");
            StringColumn exact = StringColumn.create("exact match % (mean ± sd)");
            StringColumn chars = StringColumn.create("characters right % (mean ± sd)");
            IntColumn seeds = IntColumn.create("seeds");
            for (AttentionKind m : setup.models()) {
                for (int b = 0; b < setup.bands().size(); b++) {
                    model.append(m.name());
                    band.append(setup.band(b));
                    exact.append(format(stats(m, b, true)));
                    chars.append(format(stats(m, b, false)));
                    seeds.append(of(m).size());
                }
            }
            return Table.create("accuracy against input length, " + setup.seeds().size() + " seeds per model",
                model, band, exact, chars, seeds);
        }

        /** Training CPU seconds per model, mean ± sd over the seeds (after the warm-up). */
        public Table timings() {
            StringColumn model = StringColumn.create("model");
            StringColumn cpu = StringColumn.create("training CPU s (mean ± sd)");
            DoubleColumn params = DoubleColumn.create("runs");
            for (AttentionKind m : setup.models()) {
                model.append(m.name());
                double[] s = meanSd(of(m).stream().mapToDouble(Run::trainCpuSeconds).toArray());
                cpu.append(String.format(Locale.ROOT, "%.1f ± %.1f", s[0], s[1]));
                params.append(of(m).size());
            }
            return Table.create("training time, measured after the warm-up", model, cpu, params);
        }

        /** Accuracy against input length, one line per model, error bars one sd over the seeds. */
        public XYChart chart(boolean exact) {
            XYChart chart = new XYChartBuilder().width(640).height(380)
                .title((exact ? "exact match" : "characters right") + " against input length (mean ± sd, "
                    + setup.seeds().size() + " seeds)")
                .xAxisTitle("input length (characters, band centre)").yAxisTitle(exact ? "exact match (%)"
                    : "characters right (%)").build();
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setYAxisDecimalPattern("0");
            double[] x = setup.bands().stream().mapToDouble(b -> (b[0] + b[1]) / 2.0).toArray();
            for (AttentionKind m : setup.models()) {
                double[] y = new double[x.length];
                double[] sd = new double[x.length];
                for (int b = 0; b < x.length; b++) {
                    double[] s = stats(m, b, exact);
                    y[b] = s[0];
                    sd[b] = s[1];
                }
                chart.addSeries(m.name(), x, y, sd);
            }
            return chart;
        }
    }

    static String format(double[] meanSd) {
        return String.format(Locale.ROOT, "%5.1f ± %4.1f", meanSd[0], meanSd[1]);
    }

    /** Trains every model on every seed, interleaved (seed by seed), and tests each on every band. */
    public static Result run(Setup setup) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Seq2SeqConfig base = setup.base();
        int tx = base.sourceLength();
        warmUp(setup);
        List<Run> runs = new ArrayList<>();
        for (long seed : setup.seeds()) {
            DateSplits splits = DateDataset.sentenceSplits(base.trainSize(), base.validationSize(), 0, 8, tx, seed);
            Set<String> seen = new HashSet<>();
            splits.train().forEach(e -> seen.add(e.human()));
            splits.validation().forEach(e -> seen.add(e.human()));
            List<List<DateExample>> tests = new ArrayList<>();
            for (int b = 0; b < setup.bands().size(); b++) {
                int[] band = setup.bands().get(b);
                // Test sentences never seen in training (drawn with another seed, any repeat dropped).
                tests.add(DateDataset.inSentences(setup.testPerBand() + 50, band[0], band[1], seed * 1000 + 17 + b)
                    .stream().filter(e -> !seen.contains(e.human())).limit(setup.testPerBand()).toList());
            }
            for (AttentionKind kind : setup.models()) {
                Seq2SeqConfig config = base.withAttention(kind).withSeed(seed);
                DateTranslator model = DateTranslator.create(config, splits.inputVocabulary(), splits.outputVocabulary());
                long start = cpu.getCurrentThreadCpuTime();
                TrainingHistory history = Seq2SeqTraining.train(model, splits);
                double seconds = (cpu.getCurrentThreadCpuTime() - start) / 1e9;
                double[] exact = new double[tests.size()];
                double[] chars = new double[tests.size()];
                for (int b = 0; b < tests.size(); b++) {
                    List<DateExample> test = tests.get(b);
                    List<String> out = model.translate(test.stream().map(DateExample::human).toList());
                    List<String> iso = test.stream().map(DateExample::iso).toList();
                    exact[b] = ExactMatch.accuracy(out, iso);
                    chars[b] = ExactMatch.characterAccuracy(out, iso);
                }
                runs.add(new Run(kind, seed, exact, chars, seconds, history, model));
            }
        }
        return new Result(setup, List.copyOf(runs));
    }

    /** A few untimed Adam steps of each kind of model, so that no timed run pays for the JIT compiler. */
    private static void warmUp(Setup setup) {
        if (setup.warmUpBatches() <= 0) {
            return;
        }
        Seq2SeqConfig base = setup.base();
        DateSplits splits = DateDataset.sentenceSplits(base.batchSize(), 8, 0, 8, base.sourceLength(), -1);
        for (AttentionKind kind : setup.models()) {
            DateTranslator model = DateTranslator.create(base.withAttention(kind).withSeed(-1), splits.inputVocabulary(),
                splits.outputVocabulary());
            for (int i = 0; i < setup.warmUpBatches(); i++) {
                dev.attentionkit.notebook.StoppedByInterrupt.check(() -> "warm-up interrupted");
                model.fitBatch(splits.train());
            }
            model.accuracy(splits.validation());
        }
    }

    /**
     * The harness: runs the notebook's study from a terminal and prints its tables.
     *
     * <pre>
     * java -cp lib/target/classes:$(cat lib/target/runtime-classpath.txt) dev.attentionkit.seq2seq.LengthStudy
     * </pre>
     *
     * {@code ATTENTION_KIT_PROFILE=ci} selects the small setup; arguments, if any, replace its seeds (so that
     * seeds can run in separate processes).
     */
    public static void main(String[] args) {
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(1);
        Setup setup = Seq2SeqConfig.isCi() ? ci() : full();
        if (args.length > 0) {
            List<Long> seeds = java.util.Arrays.stream(args).map(Long::valueOf).toList();
            setup = new Setup(setup.base(), setup.models(), seeds, setup.bands(), setup.testPerBand(),
                setup.warmUpBatches());
        }
        long start = System.nanoTime();
        Result result = run(setup);
        System.out.println(result.table().print(100));
        for (Run r : result.runs()) {
            System.out.printf(Locale.ROOT, "run %s seed %d: exact %s characters %s CPU %.1f s%n", r.model(), r.seed(),
                java.util.Arrays.toString(r.exactMatch()), java.util.Arrays.toString(r.characterAccuracy()),
                r.trainCpuSeconds());
        }
        System.out.println(result.timings().print());
        System.out.printf(Locale.ROOT, "wall %.1f s, CPU of this thread %.1f s%n", (System.nanoTime() - start) / 1e9,
            ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
    }

    /** The notebook's full study: four models, three seeds, four length bands. */
    public static Setup full() {
        return new Setup(Seq2SeqConfig.full(), List.of(AttentionKind.BAHDANAU, AttentionKind.LUONG,
            AttentionKind.LUONG_LOCATION, AttentionKind.NONE), List.of(1L, 2L, 3L), bands(40), 100, 3);
    }

    /** The CI study: the same models, two seeds, a short training (far from the full accuracy). */
    public static Setup ci() {
        return new Setup(Seq2SeqConfig.ci(), List.of(AttentionKind.BAHDANAU, AttentionKind.LUONG,
            AttentionKind.LUONG_LOCATION, AttentionKind.NONE), List.of(1L, 2L), bands(40), 40, 1);
    }

    private static List<int[]> bands(int tx) {
        return List.of(new int[] {8, 15}, new int[] {16, 23}, new int[] {24, 31}, new int[] {32, tx});
    }
}
