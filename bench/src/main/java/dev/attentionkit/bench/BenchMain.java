package dev.attentionkit.bench;

import dev.attentionkit.efficient.FastMultiHeadAttention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * The whole benchmark in one run, so every ratio it reports compares numbers taken side by side:
 * <ol>
 *   <li>correctness: every headline implementation against {@code kit-fast-mha} on the same inputs;</li>
 *   <li>the machine's float32 GEMM throughput (ND4J mmul 2048 × 2048);</li>
 *   <li>the headline workload through every {@link HeadlineImplementations} entry (JMH);</li>
 *   <li>the same through PyTorch, in a separate JVM ({@link TorchMain});</li>
 *   <li>with {@code --python-torch}: the pip PyTorch on the same seeded inputs ({@link PythonTorch}): matmul, headline,
 *       training steps; every ratio is then taken against it;</li>
 *   <li>one training step of {@link TrainingSteps}' modules (JMH), and of chapter 07's seq2seq model ({@link Seq2SeqStep},
 *       against the pip PyTorch in a run of its own);</li>
 *   <li>the scaling study: time (JMH) and peak memory ({@link PeakMemory}, separate JVM) against length;</li>
 *   <li>last, chapter 10's pretrained models when {@code ./kit models} has fetched them ({@link PretrainedBenchmark}):
 *       MiniLM encoding against onnxruntime (with {@code --onnx-python PYTHON}), SmolLM2 greedy decoding with
 *       and without the KV cache, against llama.cpp's Python binding (with {@code --llama-python PYTHON}).</li>
 * </ol>
 * Usage (bench/run does the building): {@code BenchMain [--quick] [--results DIR] [--torch-classpath CP]
 * [--python-torch PYTHON] [--python-script bench/python/torch_bench.py]
 * [--onnx-python PYTHON] [--llama-python PYTHON] [--skip torch,training,seq2seq,scaling,memory,pretrained] [--only impl,impl]}; {@code --only} runs those headline implementations
 * (names as in {@link HeadlineImplementations}) and no others. Writes {@code results-MODE.csv} and three PNG charts into DIR.
 */
public final class BenchMain {
    static final int MATMUL_SIZE = 2048;
    static final double MIB = 1024.0 * 1024.0;
    static final String TORCH = "pytorch-sdpa-mha";
    /** The pip-installed PyTorch (bench/run --with-python-torch): the yardstick whenever it ran. */
    static final String PY_TORCH = "python-torch-sdpa-mha";
    static final String PY_MM = "python-torch-mm";
    static final String ND4J_BACKEND = "ND4J 1.0.0-M2.1 CPU, OpenBLAS 0.3.19 kernel "
        + java.util.Objects.requireNonNullElse(dev.attentionkit.notebook.Blas.coreType(), "unknown") + " (javacpp 1.5.7)";
    static final String TORCH_BACKEND = "PyTorch 2.10.0 CPU via bytedeco 1.5.13 (javacpp 1.5.13, OpenBLAS 0.3.31)";

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        List<String> argList = Arrays.asList(args);
        boolean quick = argList.contains("--quick");
        Path results = Path.of(option(args, "--results", "bench/results"));
        String torchClasspath = option(args, "--torch-classpath", null);
        String python = option(args, "--python-torch", null);
        Path pythonScript = Path.of(option(args, "--python-script", "bench/python/torch_bench.py"));
        String onnxPython = option(args, "--onnx-python", null);
        Path onnxScript = Path.of(option(args, "--onnx-script", "bench/python/minilm_onnx_bench.py"));
        String llamaPython = option(args, "--llama-python", null);
        Path llamaScript = Path.of(option(args, "--llama-script", "bench/python/llama_cpp_bench.py"));
        Set<String> skip = Set.of(option(args, "--skip", "").split(","));
        String only = option(args, "--only", null);
        List<Implementation> implementations = only == null ? List.copyOf(HeadlineImplementations.all().values())
            : Arrays.stream(only.split(",")).map(HeadlineImplementations::get).toList();
        // A partial run writes its own files, so it never overwrites a complete run's results.
        boolean partial = only != null || !skip.equals(Set.of(""));
        String mode = (quick ? "quick" : "full") + (partial ? "-partial" : "");

        Workload w = quick ? Workload.QUICK : Workload.HEADLINE;
        JmhSettings headlineJmh = quick ? new JmhSettings(1, 3, 0) : new JmhSettings(3, 5, 1);
        // A training step is timed as a training loop runs it: after the JIT has compiled the hand-written steps' row
        // loops (Vector API code is slow until C2 compiles it, about 15 steps into a fresh JVM). Both sides get the
        // same counts.
        JmhSettings trainingJmh = quick ? headlineJmh : new JmhSettings(20, 10, 1);
        JmhSettings scalingJmh = quick ? new JmhSettings(1, 1, 0, true) : new JmhSettings(1, 3, 1, true);
        int[] lengths = quick ? new int[] {256, 512, 1024} : new int[] {256, 512, 1024, 2048, 4096, 8192, 16384};
        String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm"));
        String machine = machine();
        Files.createDirectories(results);
        log("%s run on %s; headline %s; %s", mode, machine, w.label(), Workload.FLOP_FORMULA);

        List<ResultRow> rows = new ArrayList<>();

        log("checking every implementation against kit-fast-mha on the headline inputs");
        Map<String, Double> diffs = new HashMap<>();
        INDArray reference = check(w, implementations, diffs);

        log("matmul %d x %d", MATMUL_SIZE, MATMUL_SIZE);
        RunResult mm = JmhSettings.run(headlineJmh.options(MatmulBenchmark.class).param("size", Integer.toString(MATMUL_SIZE)))
            .iterator().next();
        double mmulGflops = MatmulBenchmark.flops(MATMUL_SIZE) / (JmhSettings.medianMs(mm) / 1000) / 1e9;
        rows.add(new ResultRow("matmul", "nd4j-mmul", "float32 " + MATMUL_SIZE + "x" + MATMUL_SIZE + " x " + MATMUL_SIZE + "x" + MATMUL_SIZE,
            1, MATMUL_SIZE, MATMUL_SIZE, 1, MATMUL_SIZE, false, JmhSettings.medianMs(mm), JmhSettings.meanMs(mm),
            JmhSettings.minMs(mm), mmulGflops, 100, Double.NaN, "", Double.NaN, Double.NaN, ND4J_BACKEND,
            "GEMM ceiling of this machine: FLOPs = 2*n^3"));

        Workload trainW = quick ? TrainingSteps.QUICK : TrainingSteps.TRAIN;
        List<PythonTorch.Timing> py = List.of();
        if (python != null && !skip.contains("python")) {
            log("Python PyTorch (%s): matmul, headline and training steps, same seeded inputs", python);
            py = PythonTorch.run(python, pythonScript, results.resolve(".python-torch"), MATMUL_SIZE, w, trainW,
                TrainingSteps.comparators(), headlineJmh.warmup(), headlineJmh.iterations(), trainingJmh.warmup(), trainingJmh.iterations());
        } else {
            log("Python PyTorch skipped (bench/run --with-python-torch sets it up)");
        }
        Map<String, PythonTorch.Timing> pyByName = new LinkedHashMap<>();
        py.forEach(t -> pyByName.put(t.name(), t));
        String pyBackend = py.isEmpty() ? "" : "Python PyTorch (pip wheel), " + py.get(0).threads();
        PythonTorch.Timing pyMm = pyByName.get(PY_MM);
        if (pyMm != null) {
            double gf = MatmulBenchmark.flops(MATMUL_SIZE) / (pyMm.medianMs() / 1000) / 1e9;
            ResultRow nd4j = rows.remove(0);
            rows.add(nd4j.withRatio(nd4j.msMedian() / pyMm.medianMs(), PY_MM));
            rows.add(new ResultRow("matmul", PY_MM, nd4j.config(), 1, MATMUL_SIZE, MATMUL_SIZE, 1, MATMUL_SIZE, false,
                pyMm.medianMs(), pyMm.meanMs(), pyMm.minMs(), gf, 100 * gf / mmulGflops, Double.NaN, "", Double.NaN, Double.NaN,
                pyBackend, "torch.mm(a, b, out=c); pct_of_mmul_gflops = its GFLOP/s as % of ND4J's"));
        }

        List<ResultRow> headline = new ArrayList<>();
        for (Implementation impl : implementations) {
            log("headline: %s", impl.name());
            RunResult r = JmhSettings.run(workloadParams(headlineJmh.options(HeadlineBenchmark.class), w)
                .param("impl", impl.name())).iterator().next();
            headline.add(headlineRow(w, impl.name(), r, impl.causal(), diffs.get(impl.name()), ND4J_BACKEND, impl.notes()));
            log("  %.1f ms (median)", JmhSettings.medianMs(r));
        }
        if (!skip.contains("torch") && torchClasspath != null) {
            log("headline: %s (separate JVM)", TORCH);
            ResultRow torchRow = torch(w, headlineJmh, torchClasspath, results, reference);
            if (torchRow != null) {
                headline.add(torchRow);
            }
        } else {
            log("PyTorch skipped (no --torch-classpath, or --skip torch)");
        }
        PythonTorch.Timing pyHead = pyByName.get(PY_TORCH);
        if (pyHead != null) {
            float[] expected = reference.reshape(reference.length()).get(NDArrayIndex.interval(0, Workload.CHECKED_VALUES)).toFloatVector();
            headline.add(new ResultRow("headline", PY_TORCH, w.label(), w.batch(), w.tokens(), w.dModel(), w.heads(), w.headDim(),
                w.causal(), pyHead.medianMs(), pyHead.meanMs(), pyHead.minMs(), w.usefulFlops() / (pyHead.medianMs() / 1000) / 1e9,
                Double.NaN, Double.NaN, "", Double.NaN, PythonTorch.maxAbsDiff(pyHead.checkValues(), expected), pyBackend,
                "F.linear (fused QKV) + F.scaled_dot_product_attention(is_causal) + F.linear, under inference_mode;"
                    + " max_abs_diff over the first " + Workload.CHECKED_VALUES + " outputs"));
        }
        // Every ratio against the pip PyTorch when it ran, else against libtorch.
        String yardstick = pyHead != null ? PY_TORCH : TORCH;
        double torchMs = headline.stream().filter(r -> r.implementation().equals(yardstick)).mapToDouble(ResultRow::msMedian)
            .findFirst().orElse(Double.NaN);
        for (ResultRow r : headline) {
            ResultRow withPct = r.withPctOfMmul(100 * r.usefulGflops() / mmulGflops);
            rows.add(Double.isNaN(torchMs) ? withPct : withPct.withRatio(r.msMedian() / torchMs, yardstick));
        }

        if (!skip.contains("training")) {
            Map<String, ResultRow> kitRows = new HashMap<>();
            for (String step : TrainingSteps.STEPS) {
                log("training step: %s, %s", step, trainW.label());
                TrainingSteps.Step check = TrainingSteps.build(step, trainW);
                check.get();
                float[] grad = check.queryGradient().reshape(check.queryGradient().length())
                    .get(NDArrayIndex.interval(0, Math.min(Workload.CHECKED_VALUES, check.queryGradient().length()))).toFloatVector();
                RunResult r = JmhSettings.run(trainingJmh.options(TrainingBenchmark.class).param("step", step)
                    .param("quick", Boolean.toString(quick))).iterator().next();
                double ms = JmhSettings.medianMs(r);
                log("  %.1f ms (median)", ms);
                String comparator = TrainingSteps.comparator(step);
                PythonTorch.Timing pt = pyByName.get("python-torch-" + comparator + "-step");
                String config = trainW.label() + (step.contains("block") ? " pre-LN, ReLU FFN 4d"
                    : step.contains("stack") ? " " + TrainingSteps.STACK + " pre-LN blocks" + (step.endsWith("checkpointed") ? ", checkpointed" : "") : "");
                String how = switch (step) {
                    case "fast-mha" -> "FastTrainableMultiHeadAttention forward + hand-derived backward";
                    case "fast-block" -> "FastTrainableTransformerBlock forward + hand-derived backward";
                    case "fast-stack" -> "FastTrainableBlockStack, every block's activations kept";
                    case "fast-stack-checkpointed" -> "FastTrainableBlockStack with gradient checkpointing: block inputs kept, activations recomputed";
                    default -> "SameDiff calculateGradients of every parameter";
                };
                String memory = Double.isNaN(check.retainedBytes()) ? "" : String.format(Locale.ROOT,
                    "; peak_extra_mib = activations kept for the backward pass, %.2f MiB (explicit byte count of the arrays the stack holds);"
                        + " all buffers during backward %.2f MiB", check.retainedBytes() / MIB, check.bufferBytes() / MIB);
                if (step.equals("fast-stack-checkpointed") && kitRows.containsKey("fast-stack")) {
                    ResultRow plain = kitRows.get("fast-stack");
                    memory += String.format(Locale.ROOT, "; against %s: %.2fx the time, %.2fx the activations kept",
                        plain.implementation(), ms / plain.msMedian(), check.retainedBytes() / MIB / plain.peakExtraMib());
                }
                ResultRow row = new ResultRow("training", TrainingSteps.rowName(step), config, trainW.batch(), trainW.tokens(),
                    trainW.dModel(), trainW.heads(), trainW.headDim(), trainW.causal(), ms, JmhSettings.meanMs(r), JmhSettings.minMs(r),
                    Double.NaN, Double.NaN, pt == null ? Double.NaN : ms / pt.medianMs(), pt == null ? "" : pt.name(),
                    check.retainedBytes() / MIB, Double.NaN, ND4J_BACKEND, how + ", loss mean(y^2); loss "
                        + String.format(Locale.ROOT, "%.6g", check.loss()) + memory);
                if (pt == null && step.equals("fast-stack-checkpointed") && kitRows.containsKey("fast-stack")) {
                    row = row.withRatio(ms / kitRows.get("fast-stack").msMedian(), TrainingSteps.rowName("fast-stack"));
                }
                kitRows.put(step, row);
                rows.add(row);
                if (pt != null && !kitRows.containsKey("python:" + comparator)) {
                    ResultRow pyRow = new ResultRow("training", pt.name(), config, trainW.batch(), trainW.tokens(), trainW.dModel(),
                        trainW.heads(), trainW.headDim(), trainW.causal(), pt.medianMs(), pt.meanMs(), pt.minMs(), Double.NaN,
                        Double.NaN, 1, pt.name(), Double.NaN, PythonTorch.maxAbsDiff(pt.checkValues(), grad), pyBackend,
                        "loss.backward() of mean(y^2), grads of every parameter"
                            + (comparator.equals("stack-checkpointed") ? ", each block under torch.utils.checkpoint (use_reentrant=False)" : "")
                            + "; max_abs_diff: the (first block's) query weight's gradient against the kit's (first " + grad.length + " values)");
                    kitRows.put("python:" + comparator, pyRow);
                    rows.add(pyRow);
                }
            }
        }

        if (!skip.contains("seq2seq")) {
            log("training step: chapter 07's seq2seq model (Bahdanau), float64");
            rows.addAll(Seq2SeqStep.rows(quick, skip.contains("python") ? null : python, pythonScript,
                results.resolve(".python-torch-seq2seq")));
        }

        List<ResultRow> scaling = new ArrayList<>();
        if (!skip.contains("scaling")) {
            Map<Integer, Double> fullMs = new HashMap<>();
            for (String impl : ScalingImplementations.all().keySet()) {
                for (int t : lengths) {
                    log("scaling: %s at %d tokens", impl, t);
                    RunResult r = JmhSettings.run(scalingJmh.options(ScalingBenchmark.class)
                        .param("impl", impl).param("tokens", Integer.toString(t))).iterator().next();
                    double ms = JmhSettings.medianMs(r);
                    log("  %.1f ms (median)", ms);
                    boolean softmaxExact = impl.equals("full") || impl.equals("blocked");
                    double flops = 2.0 * 2 * ScalingImplementations.HEAD_DIM * t * (t + 1.0) / 2;
                    if (impl.equals("full")) {
                        fullMs.put(t, ms);
                    }
                    scaling.add(new ResultRow("scaling", impl, "B1 T" + t + " 1 head of " + ScalingImplementations.HEAD_DIM
                        + " causal", 1, t, ScalingImplementations.HEAD_DIM, 1, ScalingImplementations.HEAD_DIM, true, ms,
                        JmhSettings.meanMs(r), JmhSettings.minMs(r), softmaxExact ? flops / (ms / 1000) / 1e9 : Double.NaN,
                        Double.NaN, Double.NaN, "", Double.NaN, Double.NaN, ND4J_BACKEND, ScalingImplementations.notes(impl)
                        + (softmaxExact ? "; gflops count the causal half of Q.K^T and P.V: 2*2*64*T*(T+1)/2" : "")));
                }
            }
            if (!skip.contains("memory")) {
                log("scaling: peak memory (separate JVM)");
                Map<String, String[]> peaks = peakMemory(lengths, results);
                scaling.replaceAll(r -> {
                    String[] p = peaks.get(r.implementation() + "@" + r.tokens());
                    return p == null ? r : r.withPeak(Double.parseDouble(p[0]), "peak memory by " + p[1]);
                });
            }
            scaling.replaceAll(r -> fullMs.containsKey(r.tokens()) ? r.withRatio(r.msMedian() / fullMs.get(r.tokens()), "full") : r);
            rows.addAll(scaling);
        }

        // Last: SmolLM2's generation sets ND4J to one thread for the rest of this JVM.
        if (!skip.contains("pretrained")) {
            rows.addAll(PretrainedBenchmark.run(quick, onnxPython, onnxScript, llamaPython, llamaScript, results.resolve(".onnx-minilm"),
                ND4J_BACKEND));
        } else {
            log("pretrained models skipped (--skip pretrained)");
        }

        Path csv = results.resolve("results-" + mode + ".csv");
        List<String> lines = new ArrayList<>(List.of(ResultRow.HEADER));
        rows.forEach(r -> lines.add(r.csv(runId, machine)));
        Files.write(csv, lines);
        Charts.headline(headline, "Multi-head attention forward, " + w.label() + ", float32", runId + ", " + machine,
            results.resolve("headline-" + mode + ".png"));
        if (!scaling.isEmpty()) {
            Charts.scaling(scaling, false, results.resolve("scaling-time-" + mode + ".png"));
            Charts.scaling(scaling, true, results.resolve("scaling-memory-" + mode + ".png"));
        }
        System.out.println(table(rows, w, mmulGflops, yardstick));
        log("wrote %s and the charts beside it", csv);
    }

    /** Runs every implementation once, returns kit-fast-mha's output, and fills max |difference| per name. */
    private static INDArray check(Workload w, List<Implementation> implementations, Map<String, Double> diffs) {
        Nd4jInputs in = Nd4jInputs.of(SeededInputs.of(w, 42));
        FastMultiHeadAttention fast = FastMultiHeadAttention.fromWeights(in.wQkv(), null, in.wOut(), in.bOut(), w.heads());
        INDArray causalRef = fast.forward(in.x(), w.causal());
        INDArray fullRef = w.causal() ? fast.forward(in.x(), false) : causalRef;
        for (Implementation impl : implementations) {
            INDArray out = impl.build().apply(in).get();
            INDArray ref = impl.causal() == w.causal() ? causalRef : fullRef;
            diffs.put(impl.name(), out.sub(ref).amaxNumber().doubleValue());
            log("  %-24s max |diff| = %.2e", impl.name(), diffs.get(impl.name()));
        }
        return causalRef;
    }

    private static ResultRow headlineRow(Workload w, String name, RunResult r, boolean causal, Double diff, String backend,
                                         String notes) {
        double ms = JmhSettings.medianMs(r);
        return new ResultRow("headline", name, w.label(), w.batch(), w.tokens(), w.dModel(), w.heads(), w.headDim(), causal,
            ms, JmhSettings.meanMs(r), JmhSettings.minMs(r), w.usefulFlops() / (ms / 1000) / 1e9, Double.NaN, Double.NaN, "",
            Double.NaN, diff == null ? Double.NaN : diff, backend, notes);
    }

    private static ResultRow torch(Workload w, JmhSettings jmh, String classpath, Path results, INDArray reference)
        throws IOException, InterruptedException {
        Path out = results.resolve(".torch-timing.csv"), check = results.resolve(".torch-check.txt");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", classpath));
        command.addAll(Arrays.asList(JmhSettings.JVM_ARGS));
        command.addAll(List.of(TorchMain.class.getName(), Integer.toString(w.batch()), Integer.toString(w.tokens()),
            Integer.toString(w.dModel()), Integer.toString(w.heads()), Boolean.toString(w.causal()),
            Integer.toString(jmh.warmup()), Integer.toString(jmh.iterations()), Integer.toString(jmh.forks()),
            out.toString(), check.toString()));
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0 || !Files.exists(out)) {
            log("PyTorch run failed (exit %d); the table has no PyTorch row", exit);
            return null;
        }
        String[] t = Files.readString(out).trim().split(",");
        float[] expected = reference.reshape(reference.length()).get(
            NDArrayIndex.interval(0, Workload.CHECKED_VALUES)).toFloatVector();
        List<String> got = Files.readAllLines(check);
        double diff = 0;
        for (int i = 0; i < got.size(); i++) {
            diff = Math.max(diff, Math.abs(Float.parseFloat(got.get(i)) - expected[i]));
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(check);
        double ms = Double.parseDouble(t[0]);
        return new ResultRow("headline", TORCH, w.label(), w.batch(), w.tokens(), w.dModel(), w.heads(), w.headDim(),
            w.causal(), ms, Double.parseDouble(t[1]), Double.parseDouble(t[2]), w.usefulFlops() / (ms / 1000) / 1e9,
            Double.NaN, Double.NaN, "", Double.NaN, diff, TORCH_BACKEND,
            "torch.linear (fused QKV) + scaled_dot_product_attention(is_causal) + linear (out proj); " + t[3]
                + "; max_abs_diff over the first " + Workload.CHECKED_VALUES + " outputs");
    }

    /** implementation@tokens → {peak MiB, method}. */
    private static Map<String, String[]> peakMemory(int[] lengths, Path results) throws IOException, InterruptedException {
        Path out = results.resolve(".peak-memory.csv");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch",
            "-Dorg.bytedeco.javacpp.maxbytes=0", "-Dorg.bytedeco.javacpp.maxphysicalbytes=0",
            "-cp", System.getProperty("java.class.path"), PeakMemory.class.getName(), out.toString()));
        Arrays.stream(lengths).forEach(t -> command.add(Integer.toString(t)));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
        int exit = pb.start().waitFor();
        Map<String, String[]> peaks = new LinkedHashMap<>();
        if (Files.exists(out)) {
            for (String line : Files.readAllLines(out)) {
                String[] f = line.split(",");
                peaks.put(f[0] + "@" + f[1], new String[] {f[2], f[3]});
            }
            Files.delete(out);
        }
        if (exit != 0) {
            log("peak-memory JVM exited with %d; rows without a peak have no measurement", exit);
        }
        return peaks;
    }

    private static ChainedOptionsBuilder workloadParams(ChainedOptionsBuilder o, Workload w) {
        return o.param("batch", Integer.toString(w.batch())).param("tokens", Integer.toString(w.tokens()))
            .param("dModel", Integer.toString(w.dModel())).param("heads", Integer.toString(w.heads()))
            .param("causal", Boolean.toString(w.causal()));
    }

    private static String table(List<ResultRow> rows, Workload w, double mmulGflops, String yardstick) {
        StringBuilder s = new StringBuilder("\n");
        s.append(String.format(Locale.ROOT, "Machine GEMM: ND4J mmul %dx%d float32 = %.1f GFLOP/s (%s)%n", MATMUL_SIZE, MATMUL_SIZE,
            mmulGflops, ND4J_BACKEND));
        rows.stream().filter(r -> r.implementation().equals(PY_MM)).findFirst().ifPresent(r -> s.append(String.format(Locale.ROOT,
            "              Python PyTorch torch.mm = %.1f GFLOP/s: ND4J reaches %.0f%% of it%n", r.usefulGflops(),
            100 * mmulGflops / r.usefulGflops())));
        s.append(String.format(Locale.ROOT, "Headline: %s, forward pass, float32. %s%n", w.label(), Workload.FLOP_FORMULA));
        s.append(String.format(Locale.ROOT, "  useful GFLOP per call = %.2f%n", w.usefulFlops() / 1e9));
        s.append(String.format(Locale.ROOT, "  %-24s %10s %10s %10s %9s %11s %11s %12s%n", "implementation", "ms (med)", "ms (min)",
            "GFLOP/s", "% mmul", "vs PyTorch", "(by min)", "max |diff|"));
        double torchMin = rows.stream().filter(r -> r.implementation().equals(yardstick)).mapToDouble(ResultRow::msMin)
            .findFirst().orElse(Double.NaN);
        for (ResultRow r : rows.stream().filter(r -> r.section().equals("headline")).collect(Collectors.toList())) {
            s.append(String.format(Locale.ROOT, "  %-24s %10.1f %10.1f %10.1f %8.0f%% %11s %11s %12.2e%s%n", r.implementation(),
                r.msMedian(), r.msMin(), r.usefulGflops(), r.pctOfMmul(),
                Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()),
                Double.isNaN(torchMin) ? "-" : String.format(Locale.ROOT, "%.2fx", r.msMin() / torchMin),
                r.maxAbsDiff(), r.causal() ? "" : "  (not causal)"));
        }
        s.append("  GFLOP/s, % mmul and 'vs PyTorch' use the median; '(by min)' compares the fastest calls. 'vs PyTorch' = vs "
            + yardstick + (yardstick.equals(PY_TORCH) ? " (pip PyTorch)" : " (libtorch via bytedeco; bench/run --with-python-torch for pip PyTorch)") + ".\n");
        List<ResultRow> training = rows.stream().filter(r -> r.section().equals("training")).collect(Collectors.toList());
        if (!training.isEmpty()) {
            s.append(String.format(Locale.ROOT, "%nTraining step (forward + backward, every parameter's gradient), float32 (f64 in the config: float64)%n"));
            s.append(String.format(Locale.ROOT, "  %-28s %-40s %10s %10s %13s %12s%n", "implementation", "config", "ms (med)", "ms (min)",
                "vs PyTorch", "max |diff|"));
            for (ResultRow r : training) {
                s.append(String.format(Locale.ROOT, "  %-28s %-40s %10.1f %10.1f %13s %12s%n", r.implementation(), r.config(),
                    r.msMedian(), r.msMin(), Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()),
                    Double.isNaN(r.maxAbsDiff()) ? "" : String.format(Locale.ROOT, "%.2e", r.maxAbsDiff())));
            }
        }
        List<ResultRow> pretrained = rows.stream().filter(r -> r.section().equals("pretrained")).collect(Collectors.toList());
        if (!pretrained.isEmpty()) {
            s.append(String.format(Locale.ROOT, "%nPretrained models (chapter 10)%n"));
            s.append(String.format(Locale.ROOT, "  %-30s %-90s %10s %10s %9s %12s%n", "implementation", "config", "ms (med)", "ms (min)",
                "ratio", "max |diff|"));
            for (ResultRow r : pretrained) {
                s.append(String.format(Locale.ROOT, "  %-30s %-90s %10.1f %10.1f %9s %12s%n", r.implementation(), r.config(),
                    r.msMedian(), r.msMin(), Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()),
                    Double.isNaN(r.maxAbsDiff()) ? "" : String.format(Locale.ROOT, "%.2e", r.maxAbsDiff())));
            }
            s.append("  MiniLM: ms for all sentences, ratio = kit / onnxruntime; SmolLM2: ms per new token, ratio = the kit with the cache / llama.cpp "
                + "(when measured), without the cache / with it.\n");
        }
        List<ResultRow> scaling = rows.stream().filter(r -> r.section().equals("scaling")).collect(Collectors.toList());
        if (!scaling.isEmpty()) {
            s.append(String.format(Locale.ROOT, "%nScaling: batch 1, one causal head of 64; ms (median) / peak extra MiB%n"));
            List<Integer> lengths = scaling.stream().map(ResultRow::tokens).distinct().sorted().collect(Collectors.toList());
            s.append(String.format(Locale.ROOT, "  %-16s", "tokens"));
            lengths.forEach(t -> s.append(String.format(Locale.ROOT, " %17d", t)));
            s.append('\n');
            for (String impl : scaling.stream().map(ResultRow::implementation).distinct().collect(Collectors.toList())) {
                s.append(String.format(Locale.ROOT, "  %-16s", impl));
                for (int t : lengths) {
                    scaling.stream().filter(r -> r.implementation().equals(impl) && r.tokens() == t).findFirst().ifPresentOrElse(
                        r -> s.append(String.format(Locale.ROOT, " %9.1f/%7.1f", r.msMedian(), r.peakExtraMib())),
                        () -> s.append(String.format(Locale.ROOT, " %17s", "-")));
                }
                s.append('\n');
            }
        }
        return s.toString();
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            cpu = System.getProperty("os.arch");
        }
        // The load average when the run starts: on a shared machine, other processes' threads slow the
        // multi-threaded libraries unevenly (PyTorch's many short parallel regions most), so ratios taken
        // under load say less; the figure travels with the results.
        String load = "";
        try {
            load = ", load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " at start";
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores" + load;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static void log(String format, Object... args) {
        System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
