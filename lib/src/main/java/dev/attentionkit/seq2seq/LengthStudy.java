package dev.attentionkit.seq2seq;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.data.DigitStrings;
import dev.attentionkit.notebook.Progress;
import dev.attentionkit.notebook.StoppedByInterrupt;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Chapter 07's centre-piece, Bahdanau et al.'s classic picture: accuracy against input length for each model,
 * over several seeds, on a task whose answer needs every input character: copying a string of random digits
 * ({@link DigitStrings}). Every model of a seed trains on the same batches (fresh strings every Adam step, lengths
 * uniform over the training range) and is tested on the same unseen strings of each length band. Padding is the
 * end marker ({@link RecurrentTranslator#stopAtEnd}): a copy is exact only if the model also stops in time.
 *
 * <p>The models are {@link RecurrentTranslator}s (backward passes written out, several times faster than the
 * SameDiff graph of {@link DateTranslator}). Runs are spread over {@code threads} threads; each run's time is the
 * CPU time of its own thread, taken after a warm-up that trains every kind of model for a few steps first, so the
 * first model trained does not pay for the JIT compiler and the order of training does not matter.
 */
public final class LengthStudy {
    private LengthStudy() {}

    /**
     * @param sizes        model sizes ({@code sourceLength} ≥ the longest band, {@code targetLength} ≥ it too)
     * @param models       the models to compare
     * @param seeds        one run per model and seed (data, initial weights)
     * @param minLength    shortest training string
     * @param maxLength    longest training string
     * @param bands        test length bands {@code [from, to]}, inclusive
     * @param steps        Adam steps per run
     * @param batchSize    strings per step
     * @param learningRate Adam's step size
     * @param testPerBand  test strings per band
     * @param warmUpSteps  untimed Adam steps of each kind of model before the first timed run
     * @param threads      runs trained at once
     */
    public record Setup(RecurrentTranslator.Sizes sizes, List<AttentionKind> models, List<Long> seeds, int minLength,
                        int maxLength, List<int[]> bands, int steps, int batchSize, double learningRate,
                        int testPerBand, int warmUpSteps, int threads) {
        public Setup {
            if (models.isEmpty() || seeds.isEmpty() || bands.isEmpty() || testPerBand <= 0 || steps < 0
                || batchSize <= 0 || threads <= 0 || warmUpSteps < 0) {
                throw new IllegalArgumentException("need at least one model, seed and band, testPerBand, batchSize and "
                    + "threads > 0, steps and warmUpSteps ≥ 0");
            }
            int longest = Math.min(sizes.sourceLength(), sizes.targetLength());
            if (minLength < 1 || minLength > maxLength || maxLength > longest) {
                throw new IllegalArgumentException("training lengths need 1 ≤ minLength ≤ maxLength ≤ " + longest
                    + " (source and target length), got " + minLength + ".." + maxLength);
            }
            for (int[] b : bands) {
                if (b.length != 2 || b[0] < 1 || b[0] > b[1] || b[1] > longest) {
                    throw new IllegalArgumentException("a band is [from, to] with 1 ≤ from ≤ to ≤ " + longest
                        + ", got " + Arrays.toString(b));
                }
            }
            models = List.copyOf(models);
            seeds = List.copyOf(seeds);
            bands = List.copyOf(bands);
        }

        /** "13–16" */
        public String band(int i) {
            return bands.get(i)[0] + "–" + bands.get(i)[1];
        }

        /** The same setup with other seeds. */
        public Setup withSeeds(List<Long> other) {
            return new Setup(sizes, models, other, minLength, maxLength, bands, steps, batchSize, learningRate,
                testPerBand, warmUpSteps, threads);
        }

        /** The same setup trained on {@code n} threads. */
        public Setup withThreads(int n) {
            return new Setup(sizes, models, seeds, minLength, maxLength, bands, steps, batchSize, learningRate,
                testPerBand, warmUpSteps, n);
        }
    }

    /**
     * One trained model.
     *
     * @param exactMatch        per band, the fraction of test strings copied exactly (and ended right)
     * @param characterAccuracy per band, the fraction of the strings' characters right at their position
     * @param trainCpuSeconds   CPU time of the run's thread while training
     * @param lossCurve         every Adam step's batch loss (mean cross-entropy per output character)
     * @param translator        the trained model
     */
    public record Run(AttentionKind model, long seed, double[] exactMatch, double[] characterAccuracy,
                      double trainCpuSeconds, double[] lossCurve, RecurrentTranslator translator) {}

    /** Every run of a study, and the study's wall time. */
    public record Result(Setup setup, List<Run> runs, double wallSeconds) {
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
            StringColumn perStep = StringColumn.create("ms per Adam step");
            IntColumn count = IntColumn.create("runs");
            for (AttentionKind m : setup.models()) {
                model.append(m.name());
                double[] s = meanSd(of(m).stream().mapToDouble(Run::trainCpuSeconds).toArray());
                cpu.append(String.format(Locale.ROOT, "%.1f ± %.1f", s[0], s[1]));
                perStep.append(String.format(Locale.ROOT, "%.1f", 1000 * s[0] / Math.max(1, setup.steps())));
                count.append(of(m).size());
            }
            return Table.create("training time, measured after the warm-up", model, cpu, perStep, count);
        }

        /** Accuracy against input length, one line per model, error bars one sd over the seeds. */
        public XYChart chart(boolean exact) {
            XYChart chart = new XYChartBuilder().width(640).height(380)
                .title((exact ? "exact match" : "characters right") + " against input length (mean ± sd, "
                    + setup.seeds().size() + " seeds)")
                .xAxisTitle("input length (digits, band centre)").yAxisTitle(exact ? "exact match (%)"
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

        /** The batch loss of every model's run with {@code seed}, averaged over windows of {@code window} steps. */
        public XYChart lossChart(long seed, int window) {
            XYChart chart = new XYChartBuilder().width(640).height(340)
                .title("training loss, seed " + seed + " (mean over " + window + " steps)")
                .xAxisTitle("Adam step").yAxisTitle("cross-entropy per character").build();
            chart.getStyler().setYAxisLogarithmic(true);
            for (AttentionKind m : setup.models()) {
                double[] curve = run(m, seed).lossCurve();
                int points = curve.length / window;
                if (points == 0) {
                    continue;
                }
                double[] x = new double[points];
                double[] y = new double[points];
                for (int p = 0; p < points; p++) {
                    x[p] = (p + 1) * window;
                    for (int i = p * window; i < (p + 1) * window; i++) {
                        y[p] += curve[i] / window;
                    }
                }
                chart.addSeries(m.name(), x, y);
            }
            return chart;
        }
    }

    static String format(double[] meanSd) {
        return String.format(Locale.ROOT, "%5.1f ± %4.1f", meanSd[0], meanSd[1]);
    }

    /**
     * The training batch of {@code step} for {@code seed}: the same for every model of the seed (the benchmark's
     * seq2seq training step reads it too).
     */
    public static List<String> batch(Setup setup, long seed, int step) {
        return DigitStrings.generate(setup.batchSize(), setup.minLength(), setup.maxLength(),
            seed * 1_000_003L + step);
    }

    /** Test strings of band {@code b} for {@code seed}, none of them in {@code seen}. */
    static List<String> test(Setup setup, long seed, int b, Set<String> seen) {
        int[] band = setup.bands().get(b);
        List<String> out = new ArrayList<>();
        int round = 0;
        while (out.size() < setup.testPerBand()) {
            if (round > 20) {
                throw new IllegalStateException("band " + setup.band(b) + " has fewer than " + setup.testPerBand()
                    + " strings unseen in training");
            }
            for (String s : DigitStrings.generate(setup.testPerBand(), band[0], band[1], -(seed * 7919 + b * 101 + round))) {
                if (!seen.contains(s) && out.size() < setup.testPerBand()) {
                    out.add(s);
                }
            }
            round++;
        }
        return out;
    }

    /** Trains every model on every seed ({@code threads} at a time) and tests each on every band. */
    public static Result run(Setup setup) {
        long start = System.nanoTime();
        warmUp(setup);
        List<Job> jobs = new ArrayList<>();
        for (long seed : setup.seeds()) {
            for (AttentionKind kind : setup.models()) {
                jobs.add(new Job(setup, kind, seed));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(setup.threads(), r -> {
            Thread t = new Thread(r, "length-study");
            t.setDaemon(true);
            return t;
        });
        List<Run> runs = new ArrayList<>();
        try (Progress progress = Progress.start("length study (" + setup.threads() + " threads)", jobs.size())) {
            List<Future<Run>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(job::call));
            }
            for (Future<Run> f : futures) {
                while (true) {
                    progress.stopIfInterrupted(() -> "length study interrupted after " + runs.size() + " of "
                        + jobs.size() + " runs");
                    try {
                        runs.add(f.get(200, TimeUnit.MILLISECONDS));
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        // poll again, so that Interrupt is seen
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                }
                Run r = runs.get(runs.size() - 1);
                progress.step(runs.size(), String.format(Locale.ROOT, "%s seed %d: exact match %s",
                    r.model(), r.seed(), Arrays.toString(Arrays.stream(r.exactMatch()).mapToLong(x -> Math.round(100 * x))
                        .toArray())));
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(setup, List.copyOf(runs), (System.nanoTime() - start) / 1e9);
    }

    /** One run, on a pool thread. */
    private record Job(Setup setup, AttentionKind kind, long seed) {
        Run call() {
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            CharVocabulary vocabulary = DigitStrings.vocabulary();
            RecurrentTranslator model = RecurrentTranslator.fromSeed(kind, setup.sizes(), vocabulary, vocabulary, seed)
                .learningRate(setup.learningRate()).stopAtEnd(true);
            int tx = setup.sizes().sourceLength();
            Set<String> seen = new HashSet<>();
            double[] curve = new double[setup.steps()];
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int step = 0; step < setup.steps(); step++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new StoppedByInterrupt("length study stopped");
                }
                List<String> batch = batch(setup, seed, step);
                seen.addAll(batch);
                curve[step] = model.fitBatch(model.encodeSources(batch, tx), model.encodeTargets(batch));
            }
            double seconds = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
            int bands = setup.bands().size();
            double[] exact = new double[bands];
            double[] chars = new double[bands];
            for (int b = 0; b < bands; b++) {
                List<String> test = test(setup, seed, b, seen);
                List<String> out = model.translate(test, tx);
                List<String> padded = test.stream().map(s -> pad(s, model.targetLength())).toList();
                exact[b] = ExactMatch.accuracy(out, padded);
                List<String> cut = new ArrayList<>();
                for (int i = 0; i < test.size(); i++) {
                    cut.add(out.get(i).substring(0, test.get(i).length()));
                }
                chars[b] = ExactMatch.characterAccuracy(cut, test);
            }
            return new Run(kind, seed, exact, chars, seconds, curve, model);
        }
    }

    /**
     * {@code s} padded with the padding character to {@code length}: what a right answer looks like.
     *
     * @throws IllegalArgumentException if {@code s} is longer than {@code length}
     */
    public static String pad(String s, int length) {
        if (s.length() > length) {
            throw new IllegalArgumentException("\"" + s + "\" has " + s.length() + " characters, more than " + length);
        }
        return s + String.valueOf(CharVocabulary.PAD).repeat(length - s.length());
    }

    /** A few untimed Adam steps of each kind of model, so that no timed run pays for the JIT compiler. */
    private static void warmUp(Setup setup) {
        CharVocabulary vocabulary = DigitStrings.vocabulary();
        int tx = setup.sizes().sourceLength();
        for (AttentionKind kind : setup.models()) {
            RecurrentTranslator model = RecurrentTranslator.fromSeed(kind, setup.sizes(), vocabulary, vocabulary, -1)
                .stopAtEnd(true);
            for (int i = 0; i < setup.warmUpSteps(); i++) {
                StoppedByInterrupt.check(() -> "warm-up interrupted");
                List<String> batch = batch(setup, -1, i);
                model.fitBatch(model.encodeSources(batch, tx), model.encodeTargets(batch));
            }
        }
    }

    /**
     * The harness: runs the notebook's study from a terminal and prints its tables.
     *
     * <pre>
     * java -cp lib/target/classes:$(cat lib/target/runtime-classpath.txt) dev.attentionkit.seq2seq.LengthStudy [threads] [seeds...]
     * </pre>
     *
     * {@code ATTENTION_KIT_PROFILE=ci} selects the small setup.
     */
    public static void main(String[] args) {
        Setup setup = Seq2SeqConfig.isCi() ? ci() : full();
        if (args.length > 0) {
            setup = setup.withThreads(Integer.parseInt(args[0]));
        }
        if (args.length > 1) {
            setup = setup.withSeeds(Arrays.stream(args).skip(1).map(Long::valueOf).toList());
        }
        Result result = run(setup);
        System.out.println(result.table().print(100));
        for (Run r : result.runs()) {
            System.out.printf(Locale.ROOT, "run %s seed %d: exact %s characters %s CPU %.1f s, last loss %.4f%n",
                r.model(), r.seed(), Arrays.toString(r.exactMatch()), Arrays.toString(r.characterAccuracy()),
                r.trainCpuSeconds(), r.lossCurve().length == 0 ? Double.NaN : r.lossCurve()[r.lossCurve().length - 1]);
        }
        System.out.println(result.timings().print());
        System.out.printf(Locale.ROOT, "wall %.1f s%n", result.wallSeconds());
    }

    private static final List<AttentionKind> MODELS = List.of(AttentionKind.BAHDANAU, AttentionKind.LUONG,
        AttentionKind.LUONG_LOCATION, AttentionKind.NONE);

    /** The notebook's full study: four models, three seeds. */
    public static Setup full() {
        return new Setup(new RecurrentTranslator.Sizes(8, 16, 32, 16, 24, 24), MODELS, List.of(1L, 2L, 3L), 4, 24,
            bands(), 1500, 32, 0.01, 200, 20, 2);
    }

    /** The CI study: the same models and seeds, a short training (far from the full accuracy). */
    public static Setup ci() {
        return new Setup(new RecurrentTranslator.Sizes(8, 16, 32, 16, 24, 24), MODELS, List.of(1L, 2L, 3L), 4, 24,
            bands(), 40, 32, 0.01, 20, 3, 2);
    }

    private static List<int[]> bands() {
        return List.of(new int[] {4, 8}, new int[] {9, 12}, new int[] {13, 16}, new int[] {17, 20}, new int[] {21, 24});
    }
}
