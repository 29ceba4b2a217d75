package dev.attentionkit.bench;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.data.DigitStrings;
import dev.attentionkit.seq2seq.AttentionKind;
import dev.attentionkit.seq2seq.LengthStudy;
import dev.attentionkit.seq2seq.RecurrentTranslator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.results.RunResult;

/**
 * One training step of chapter 07's seq2seq model, the kit against Python PyTorch on the same sizes, batch and
 * weights. The model is notebook 07's Bahdanau translator ({@link RecurrentTranslator}: a bidirectional LSTM
 * encoder, additive attention from {@code s_{i-1}}, the papers' GRU, a linear readout) at the notebook's
 * full-profile sizes ({@link LengthStudy#full()}: E 8, He 16, Hd 32, Ha 16, Tx = Ty = 24, 12 characters, 32 strings
 * of 4–24 digits), with seed 1's initial weights, on seed 1's first training batch, padding as the end marker, as
 * the notebook trains it.
 *
 * <p>The step is {@link RecurrentTranslator#lossAndGradients}: the teacher-forced loss (mean cross-entropy per
 * scored character) and every parameter's gradient, in float64, the only precision the kit's model has; the
 * PyTorch side ({@code seq2seq} in {@code bench/python/torch_bench.py}) runs in float64 too. No optimiser step is
 * timed on either side, as in the other training rows. Before its timing is used, the PyTorch side must give the
 * kit's loss and every gradient to within {@value #TOLERANCE} of their size: that is what makes it the same model.
 */
final class Seq2SeqStep {
    static final String KIT = "kit-seq2seq-bahdanau-step";
    static final String PY = "python-torch-seq2seq-bahdanau-step";
    static final String PY_ONE_THREAD = PY + "-1-thread";
    static final String PY_FLOAT32 = PY + "-float32";
    /** Seed of the initial weights and of the batch (notebook 07's first seed). */
    static final long SEED = 1;
    /** A step takes milliseconds, not the headline's second: more calls, so the median settles (same counts in Python). */
    static final JmhSettings FULL_JMH = new JmhSettings(30, 60, 1);
    static final JmhSettings QUICK_JMH = new JmhSettings(5, 10, 0);
    /** Largest |kit − PyTorch| allowed, relative to the largest |value| (the loss; all gradients): both run float64. */
    static final double TOLERANCE = 1e-9;
    static final String BACKEND = "attention-kit RecurrentTranslator: plain Java loops, float64, one thread";

    final LengthStudy.Setup setup = LengthStudy.full();
    final RecurrentTranslator model;
    final int[][] sources;
    final int[][] targets;
    final List<String> batch;

    Seq2SeqStep() {
        CharVocabulary vocabulary = DigitStrings.vocabulary();
        model = RecurrentTranslator.fromSeed(AttentionKind.BAHDANAU, setup.sizes(), vocabulary, vocabulary, SEED)
            .stopAtEnd(true);
        batch = LengthStudy.batch(setup, SEED, 0);
        sources = model.encodeSources(batch, setup.sizes().sourceLength());   // [B][Tx], right-aligned
        targets = model.encodeTargets(batch);                                  // [B][Ty]
    }

    /** One step: the loss, every gradient kept in the model. */
    double run() {
        return model.lossAndGradients(sources, targets);
    }

    /** Every parameter's gradient of the last {@link #run}, flattened in {@link RecurrentTranslator#parameters()} order. */
    double[] gradients() {
        List<double[]> parts = new ArrayList<>();
        for (String name : model.parameters().keySet()) {
            parts.add(model.gradient(name).data().asDouble());
        }
        return parts.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    /** {@code Bahdanau B32 Tx24 Ty24 He16 Hd32 f64} */
    String config() {
        RecurrentTranslator.Sizes s = setup.sizes();
        return String.format(Locale.ROOT, "Bahdanau B%d Tx%d Ty%d He%d Hd%d f64", setup.batchSize(), s.sourceLength(),
            s.targetLength(), s.encoderHidden(), s.decoderHidden());
    }

    /** The kit's row with its ratio, what it is taken against, and more notes. */
    private interface KitRow {
        ResultRow apply(double ratio, String ratioTo, String moreNotes);
    }

    /** One of PyTorch's timings. */
    record PythonTiming(double medianMs, double meanMs, double minMs, String threads) {}

    /** What PyTorch measured ({@link #PY}, {@link #PY_ONE_THREAD}, {@link #PY_FLOAT32}) and computed (float64, default threads). */
    record PythonResult(Map<String, PythonTiming> timings, double loss, double[] gradients) {}

    /**
     * The kit's row and, with {@code python}, PyTorch's: the kit's step timed by JMH, PyTorch's by the script with the
     * same warm-up and timed call counts.
     *
     * @throws IllegalStateException if PyTorch's loss or gradients are not the kit's
     */
    static List<ResultRow> rows(boolean quick, String python, Path script, Path work) throws IOException, InterruptedException {
        JmhSettings jmh = quick ? QUICK_JMH : FULL_JMH;
        Seq2SeqStep check = new Seq2SeqStep();
        double loss = check.run();
        double[] grads = check.gradients();
        RunResult r = JmhSettings.run(jmh.options(Seq2SeqBenchmark.class)).iterator().next();
        double ms = JmhSettings.medianMs(r);
        log("  %.2f ms (median), loss %.10f, %d gradient values", ms, loss, grads.length);
        RecurrentTranslator.Sizes s = check.setup.sizes();
        String notes = "RecurrentTranslator.lossAndGradients: teacher-forced mean cross-entropy per scored character"
            + " (stopAtEnd), hand-written backward through time, every parameter's gradient; no optimiser step; "
            + String.format(Locale.ROOT, "E%d Ha%d V%d, lengths %d-%d, seed %d (weights and notebook 07's first batch); loss %.12g",
            s.embedding(), s.attentionHidden(), check.model.targetVocabulary().size(), check.setup.minLength(),
            check.setup.maxLength(), SEED, loss);
        int b = check.setup.batchSize(), c = 2 * s.encoderHidden();
        KitRow kit = (ratio, to, more) -> new ResultRow("training", KIT, check.config(), b, s.sourceLength(), s.decoderHidden(), 1, c,
            false, ms, JmhSettings.meanMs(r), JmhSettings.minMs(r), Double.NaN, Double.NaN, ratio, to, Double.NaN, Double.NaN, BACKEND,
            notes + more);
        if (python == null) {
            return List.of(kit.apply(Double.NaN, "", ""));
        }
        log("seq2seq step: Python PyTorch (%s), the same weights and batch, float64", python);
        PythonResult py = runPython(python, script, work, check, jmh);
        PythonTiming all = py.timings().get(PY), one = py.timings().get(PY_ONE_THREAD), f32 = py.timings().get(PY_FLOAT32);
        // The yardstick is the faster of PyTorch's two float64 runs: at these sizes its parallel regions can cost more
        // than they share (on a busy machine, far more), and a kit ratio taken against a slowed PyTorch would flatter it.
        String yardName = one.medianMs() < all.medianMs() ? PY_ONE_THREAD : PY;
        PythonTiming yard = py.timings().get(yardName);
        double lossDiff = Math.abs(py.loss() - loss);
        double gradDiff = 0, gradMax = 0;
        for (int i = 0; i < grads.length; i++) {
            gradDiff = Math.max(gradDiff, Math.abs(py.gradients()[i] - grads[i]));
            gradMax = Math.max(gradMax, Math.abs(grads[i]));
        }
        log("  %.2f ms (median; %s), %.2f ms on one thread, %.2f ms in float32; |loss difference| %.2e, max |gradient difference|"
            + " %.2e (largest gradient %.3g)", all.medianMs(), all.threads(), one.medianMs(), f32.medianMs(), lossDiff, gradDiff, gradMax);
        if (!(lossDiff <= TOLERANCE * Math.abs(loss)) || !(gradDiff <= TOLERANCE * gradMax)) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the PyTorch seq2seq model is not the kit's: loss %.12g"
                + " against %.12g, max |gradient difference| %.3g (largest gradient %.3g, tolerance %.0e relative)", py.loss(),
                loss, gradDiff, gradMax, TOLERANCE));
        }
        String agree = String.format(Locale.ROOT, "; the same model: |loss difference| %.2e (loss %.12g), max |gradient difference|"
            + " over all %d values %.2e, largest gradient %.3g (tolerance %.0e of each)", lossDiff, py.loss(), grads.length, gradDiff,
            gradMax, TOLERANCE);
        String model = "torch.nn: nn.Embedding, nn.LSTM(bidirectional), additive attention (nn.Linear, masked softmax, bmm), the"
            + " papers' GRU written with nn.Linear (reset gate before U: nn.GRUCell applies it after U), nn.Linear readout;"
            + " teacher forcing, F.cross_entropy masked after each string's end; loss.backward(), every parameter's gradient";
        List<ResultRow> rows = new ArrayList<>();
        rows.add(kit.apply(ms / yard.medianMs(), yardName, String.format(Locale.ROOT, "; ratio against the faster of PyTorch's"
            + " float64 runs; against PyTorch with its default threads %.2fx, on one thread %.2fx, in float32 %.2fx",
            ms / all.medianMs(), ms / one.medianMs(), ms / f32.medianMs())));
        rows.add(new ResultRow("training", PY, check.config(), b, s.sourceLength(), s.decoderHidden(), 1, c, false,
            all.medianMs(), all.meanMs(), all.minMs(), Double.NaN, Double.NaN, all.medianMs() / yard.medianMs(), yardName, Double.NaN,
            gradDiff, "Python PyTorch (pip wheel), " + all.threads(), model + "; float64, PyTorch's default threads" + agree));
        rows.add(new ResultRow("training", PY_ONE_THREAD, check.config(), b, s.sourceLength(), s.decoderHidden(), 1, c, false,
            one.medianMs(), one.meanMs(), one.minMs(), Double.NaN, Double.NaN, one.medianMs() / yard.medianMs(), yardName,
            Double.NaN, Double.NaN, "Python PyTorch (pip wheel), " + one.threads(), "the same step after torch.set_num_threads(1),"
                + " one thread as the kit runs"));
        rows.add(new ResultRow("training", PY_FLOAT32, check.config().replace("f64", "f32"), b, s.sourceLength(), s.decoderHidden(),
            1, c, false, f32.medianMs(), f32.meanMs(), f32.minMs(), Double.NaN, Double.NaN, f32.medianMs() / yard.medianMs(), yardName,
            Double.NaN, Double.NaN, "Python PyTorch (pip wheel), " + f32.threads(), "the same step in float32 (the weights are float32"
                + " values), one thread, for scale only: the kit has no float32 path"));
        return rows;
    }

    /** Writes the weights (float64, the kit's names and layouts) and the batch, runs the script, reads its timing and values. */
    private static PythonResult runPython(String python, Path script, Path work, Seq2SeqStep step, JmhSettings jmh)
        throws IOException, InterruptedException {
        PythonTorch.deleteTree(work);
        Files.createDirectories(work);
        Map<String, INDArray> parameters = step.model.parameters();
        List<String> described = new ArrayList<>();
        for (Map.Entry<String, INDArray> p : parameters.entrySet()) {
            // float32 copies: exact, the seeded weights are float32 values held in float64.
            double[] values = p.getValue().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
            ByteBuffer buf = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asDoubleBuffer().put(values);
            Files.write(work.resolve(p.getKey() + ".f64"), buf.array());
            described.add(String.format(Locale.ROOT, "{\"name\": \"%s\", \"shape\": %s}", p.getKey(),
                Arrays.toString(p.getValue().shape())));
        }
        RecurrentTranslator.Sizes s = step.setup.sizes();
        Files.writeString(work.resolve("meta.json"), String.format(Locale.ROOT,
            "{\"embedding\": %d, \"encoderHidden\": %d, \"decoderHidden\": %d, \"attentionHidden\": %d, \"sourceVocabulary\": %d,"
                + " \"targetVocabulary\": %d, \"warmup\": %d, \"iterations\": %d,%n \"parameters\": [%s],%n \"sources\": %s,%n"
                + " \"targets\": %s}%n",
            s.embedding(), s.encoderHidden(), s.decoderHidden(), s.attentionHidden(), step.model.sourceVocabulary().size(),
            step.model.targetVocabulary().size(), jmh.warmup(), jmh.iterations(), String.join(", ", described),
            ints(step.sources), ints(step.targets)));
        Path out = work.resolve("timings.csv");
        int exit = new ProcessBuilder(python, script.toString(), "seq2seq", work.toString(), out.toString()).inheritIO().start()
            .waitFor();
        if (exit != 0 || !Files.exists(out)) {
            throw new IOException("Python PyTorch's seq2seq step (" + python + " " + script + " seq2seq) exited with " + exit);
        }
        Map<String, PythonTiming> timings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            // name,median,mean,min,"threads"
            int q1 = line.indexOf('"');
            String[] head = line.substring(0, q1).split(",");
            timings.put(head[0], new PythonTiming(Double.parseDouble(head[1]), Double.parseDouble(head[2]),
                Double.parseDouble(head[3]), line.substring(q1 + 1, line.lastIndexOf('"'))));
        }
        List<String> values = Files.readAllLines(work.resolve("check.txt"));   // the loss, then every gradient
        double[] grads = values.stream().skip(1).mapToDouble(Double::parseDouble).toArray();
        int expected = Math.toIntExact(step.model.parameterCount());
        if (!timings.keySet().containsAll(List.of(PY, PY_ONE_THREAD, PY_FLOAT32)) || grads.length != expected) {
            throw new IOException("Python PyTorch's seq2seq step wrote timings " + timings.keySet() + " and " + grads.length
                + " gradient values; expected " + List.of(PY, PY_ONE_THREAD, PY_FLOAT32) + " and " + expected);
        }
        PythonResult result = new PythonResult(timings, Double.parseDouble(values.get(0)), grads);
        PythonTorch.deleteTree(work);
        return result;
    }

    private static String ints(int[][] rows) {
        return Arrays.stream(rows).map(Arrays::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    private static void log(String format, Object... args) {
        System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
