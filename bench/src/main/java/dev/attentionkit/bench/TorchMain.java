package dev.attentionkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;

/**
 * The PyTorch half of the benchmark, run by {@link BenchMain} as a separate JVM whose class path holds
 * PyTorch and javacpp 1.5.13 but no ND4J (ND4J 1.0.0-M2.1 needs javacpp 1.5.7).
 *
 * <p>{@code java -cp bench/target/classes:bench/target/torch-lib/* dev.attentionkit.bench.TorchMain
 * B T d H causal warmup iterations forks out.csv check.txt}: writes one CSV line
 * {@code median_ms,mean_ms,min_ms,threads} and the first output values for the correctness check.
 */
public final class TorchMain {
    private TorchMain() {}

    public static void main(String[] args) throws IOException {
        Workload w = new Workload(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
            Integer.parseInt(args[3]), Boolean.parseBoolean(args[4]));
        JmhSettings settings = new JmhSettings(Integer.parseInt(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]));
        Path out = Path.of(args[8]), check = Path.of(args[9]);

        String threads;
        try (TorchMultiHeadAttention mha = new TorchMultiHeadAttention(SeededInputs.of(w, 42))) {
            float[] first = mha.forward(Workload.CHECKED_VALUES);
            List<String> lines = new ArrayList<>();
            for (float f : first) {
                lines.add(Float.toString(f));
            }
            Files.write(check, lines);
            threads = TorchMultiHeadAttention.threads();
        }
        RunResult r = JmhSettings.run(settings.options(TorchHeadlineBenchmark.class)
            .param("batch", Integer.toString(w.batch())).param("tokens", Integer.toString(w.tokens()))
            .param("dModel", Integer.toString(w.dModel())).param("heads", Integer.toString(w.heads()))
            .param("causal", Boolean.toString(w.causal()))).iterator().next();
        Files.writeString(out, String.format(Locale.ROOT, "%.3f,%.3f,%.3f,%s%n",
            JmhSettings.medianMs(r), JmhSettings.meanMs(r), JmhSettings.minMs(r), threads));
    }
}
