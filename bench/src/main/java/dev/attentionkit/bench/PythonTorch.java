package dev.attentionkit.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The pip-installed PyTorch as the benchmark's yardstick: writes the seeded inputs and weights as float32
 * files, runs {@code bench/python/torch_bench.py} with the given Python (the virtual environment that
 * {@code bench/run --with-python-torch} sets up), and reads back one timing line per workload and the values
 * to compare (headline outputs, the query weight's gradient of each training step).
 */
final class PythonTorch {
    /** One workload's timing from Python; {@code checkValues} are what the Java side compares with its own. */
    record Timing(String name, double medianMs, double meanMs, double minMs, String threads, float[] checkValues) {}

    private PythonTorch() {}

    static List<Timing> run(String python, Path script, Path work, int matmulSize, Workload headline, Workload training,
                            List<String> steps, int warmup, int iterations, int trainingWarmup, int trainingIterations)
        throws IOException, InterruptedException {
        deleteTree(work);
        Files.createDirectories(work);
        SeededInputs h = SeededInputs.of(headline, 42);
        write(work, "headline-x", h.x());
        write(work, "headline-wqkv", h.wQkv());
        write(work, "headline-wout", h.wOut());
        write(work, "headline-bout", h.bOut());
        SeededInputs t = SeededInputs.of(training, 42);
        TrainingSteps.FeedForwardWeights f = TrainingSteps.FeedForwardWeights.of(training);
        write(work, "train-x", t.x());
        write(work, "train-wqkv", t.wQkv());
        write(work, "train-wout", t.wOut());
        write(work, "train-bout", t.bOut());
        write(work, "train-fc1w", f.fc1w());
        write(work, "train-fc1b", f.fc1b());
        write(work, "train-fc2w", f.fc2w());
        write(work, "train-fc2b", f.fc2b());
        Files.writeString(work.resolve("meta.json"), String.format(Locale.ROOT,
            "{\"matmul\": %d, \"checked\": %d,%n \"headline\": %s,%n \"training\": %s}%n", matmulSize, Workload.CHECKED_VALUES,
            json(headline, ""), json(training, ", \"hidden\": " + 4 * training.dModel() + ", \"stack\": " + TrainingSteps.STACK + ", \"warmup\": " + trainingWarmup
                + ", \"iterations\": " + trainingIterations + ", \"steps\": ["
                + String.join(", ", steps.stream().map(s -> "\"" + s + "\"").toList()) + "]")));
        Path out = work.resolve("timings.csv");
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), work.toString(), out.toString(),
            Integer.toString(warmup), Integer.toString(iterations)).inheritIO();
        int exit = pb.start().waitFor();
        if (exit != 0 || !Files.exists(out)) {
            throw new IOException("Python PyTorch (" + python + " " + script + ") exited with " + exit);
        }
        List<Timing> timings = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            // name,median,mean,min,"threads",check-file
            int q1 = line.indexOf('"'), q2 = line.lastIndexOf('"');
            String[] head = line.substring(0, q1).split(",");
            String check = line.substring(q2 + 2);
            float[] values = check.isEmpty() ? new float[0] : read(Path.of(check));
            timings.add(new Timing(head[0], Double.parseDouble(head[1]), Double.parseDouble(head[2]), Double.parseDouble(head[3]),
                line.substring(q1 + 1, q2), values));
        }
        deleteTree(work);
        return timings;
    }

    /** Largest |a[i] - b[i]| over the first {@code a.length} values of {@code b}. */
    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static String json(Workload w, String extra) {
        return String.format(Locale.ROOT, "{\"batch\": %d, \"tokens\": %d, \"dModel\": %d, \"heads\": %d, \"causal\": %s%s}",
            w.batch(), w.tokens(), w.dModel(), w.heads(), w.causal(), extra);
    }

    private static void write(Path dir, String name, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Files.write(dir.resolve(name + ".f32"), b.array());
    }

    private static float[] read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        float[] v = new float[lines.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(lines.get(i));
        }
        return v;
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
