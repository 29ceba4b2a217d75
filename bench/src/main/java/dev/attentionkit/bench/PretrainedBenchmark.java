package dev.attentionkit.bench;

import dev.attentionkit.pretrained.BertEncoder;
import dev.attentionkit.pretrained.ByteLevelBpeTokenizer;
import dev.attentionkit.pretrained.Gguf;
import dev.attentionkit.pretrained.InferenceThreads;
import dev.attentionkit.pretrained.LlamaDecoder;
import dev.attentionkit.pretrained.ModelFiles;
import dev.attentionkit.pretrained.WordPieceTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pretrained models of chapter 10 as workloads (section {@code pretrained}), run last because SmolLM2's
 * generation sets ND4J to one thread for the rest of the process:
 * <ul>
 *   <li>MiniLM (BERT) encoding {@code sentences} seeded English sentences into sentence embeddings, in batches of
 *       {@link #BATCH} (padding, encoder, mean pooling, L2 norm), the kit's {@link BertEncoder} against
 *       onnxruntime on a float32 ONNX graph of the same weights ({@code bench/python/minilm_onnx_bench.py}); the
 *       embeddings of both are compared;</li>
 *   <li>SmolLM2 (Llama) greedy decoding with the KV cache and without it, the kit's {@link LlamaDecoder}, in ms
 *       per new token, against llama.cpp's Python binding on the same GGUF and prompt ids (with
 *       {@code --llama-python PYTHON}; {@code bench/run --with-llama-cpp} builds it from PyPI's source archive).</li>
 * </ul>
 * Each part runs only when {@code ./kit models} has fetched its model.
 */
final class PretrainedBenchmark {
    static final int BATCH = 32;
    static final String KIT_MINILM = "kit-minilm-encode";
    static final String ORT_MINILM = "onnxruntime-minilm-encode";
    static final String KIT_GREEDY_CACHE = "kit-smollm2-greedy-kv-cache";
    static final String KIT_GREEDY_NO_CACHE = "kit-smollm2-greedy-no-cache";
    static final String LLAMA_GREEDY = "llama-cpp-smollm2-greedy";
    static final String PROMPT = "The animal didn't cross the road because it was too tired. It";

    private PretrainedBenchmark() {}

    static List<ResultRow> run(boolean quick, String onnxPython, Path onnxScript, Path work, String ndBackend)
        throws IOException, InterruptedException {
        return run(quick, onnxPython, onnxScript, null, null, work, ndBackend);
    }

    /** As above, with llama.cpp's Python binding ({@code llamaPython}, null to leave it out) as SmolLM2's yardstick. */
    static List<ResultRow> run(boolean quick, String onnxPython, Path onnxScript, String llamaPython, Path llamaScript,
                               Path work, String ndBackend) throws IOException, InterruptedException {
        List<ResultRow> rows = new ArrayList<>();
        if (ModelFiles.present(ModelFiles.MINILM, "model.safetensors")) {
            rows.addAll(miniLm(quick ? 32 : 256, 1, quick ? 2 : 3, onnxPython, onnxScript, work, ndBackend));
        } else {
            log("pretrained: MiniLM not found in %s (./kit models fetches it); its rows are left out", ModelFiles.root());
        }
        if (ModelFiles.present(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF)) {
            rows.addAll(smolLm2(quick ? 3 : 16, quick ? 1 : 3, llamaPython, llamaScript, work.resolveSibling(".llama-smollm2"), ndBackend));
        } else {
            log("pretrained: SmolLM2 not found in %s (./kit models fetches it); its rows are left out", ModelFiles.root());
        }
        return rows;
    }

    /** {@code n} short English sentences from a fixed seed: templates filled from small word lists. */
    static List<String> sentences(int n) {
        String[] subjects = {"The animal", "A tired student", "The old bridge", "My neighbour's dog", "The committee",
            "A small robot", "The river", "Our teacher", "The new library", "A quiet musician", "The city council", "It"};
        String[] verbs = {"crossed", "watched", "built", "forgot", "repaired", "described", "painted", "followed",
            "explained", "ignored", "carried", "discovered"};
        String[] objects = {"the road", "a long letter", "the broken window", "an unusual question", "the morning train",
            "a map of the mountains", "the results of the experiment", "the last piece of cake", "a strange noise",
            "the attention weights"};
        String[] endings = {"because it was too tired.", "before the storm arrived.", "without saying a word.",
            "while everyone else was asleep.", "after the meeting ended.", "although nobody asked.", "in the rain.",
            "for the third time this week.", "and then went home.", "because it was too wide."};
        Random random = new Random(10);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(subjects[random.nextInt(subjects.length)] + " " + verbs[random.nextInt(verbs.length)] + " "
                + objects[random.nextInt(objects.length)] + " " + endings[random.nextInt(endings.length)]);
        }
        return out;
    }

    private static List<ResultRow> miniLm(int count, int warmup, int iterations, String python, Path script, Path work,
                                          String ndBackend) throws IOException, InterruptedException {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.miniLm();
        int[][] ids = sentences(count).stream().map(s -> tokenizer.encode(s).ids()).toArray(int[][]::new);
        int tokens = Arrays.stream(ids).mapToInt(a -> a.length).sum();
        int longest = Arrays.stream(ids).mapToInt(a -> a.length).max().orElse(0);
        BertEncoder encoder = BertEncoder.miniLm(DataType.FLOAT);
        BertEncoder.Config c = encoder.config();
        String config = String.format(Locale.ROOT, "all-MiniLM-L6-v2, %d sentences (%d tokens, up to %d), batches of %d, float32",
            count, tokens, longest, BATCH);
        log("pretrained: %s, %s", KIT_MINILM, config);
        INDArray kitEmbeddings = encode(encoder, ids);
        double[] times = new double[iterations];
        for (int i = 0; i < warmup; i++) {
            encode(encoder, ids);
        }
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            encode(encoder, ids);
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        double kitMs = median(times);
        log("  %.1f ms (median) for %d sentences", kitMs, count);
        List<ResultRow> rows = new ArrayList<>();
        ResultRow kit = row(KIT_MINILM, config, tokens, c, kitMs, Arrays.stream(times).average().orElse(Double.NaN),
            Arrays.stream(times).min().orElse(Double.NaN), Double.NaN, ndBackend,
            String.format(Locale.ROOT, "BertEncoder.forward(int[][]) + sentenceEmbedding per batch; %.0f sentences/s", count / (kitMs / 1000)));
        if (python == null) {
            log("  onnxruntime skipped (bench/run sets up .kit/onnx-venv unless --skip onnx)");
            rows.add(kit);
            return rows;
        }
        deleteTree(work);
        Files.createDirectories(work);
        Files.write(work.resolve("ids.txt"), Arrays.stream(ids)
            .map(a -> Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(" "))).toList());
        log("pretrained: %s (%s %s)", ORT_MINILM, python, script);
        Path modelDir = ModelFiles.root().resolve(ModelFiles.MINILM);
        int exit = new ProcessBuilder(python, script.toString(), modelDir.toString(), work.toString(), Integer.toString(BATCH),
            Integer.toString(warmup), Integer.toString(iterations)).inheritIO().start().waitFor();
        Path timing = work.resolve("timing.csv");
        if (exit != 0 || !Files.exists(timing)) {
            log("  onnxruntime run failed (exit %d); the table has no onnxruntime row", exit);
            rows.add(kit);
            return rows;
        }
        String line = Files.readString(timing).trim();
        int q = line.indexOf('"');
        String[] t = line.substring(0, q).split(",");
        String ortBackend = line.substring(q + 1, line.lastIndexOf('"'));
        float[] ortEmbeddings = readFloats(work.resolve("embeddings.f32"));
        float[] ours = kitEmbeddings.reshape(kitEmbeddings.length()).toFloatVector();
        double diff = ortEmbeddings.length == ours.length ? PythonTorch.maxAbsDiff(ortEmbeddings, ours) : Double.NaN;
        double ortMs = Double.parseDouble(t[0]);
        log("  %.1f ms (median); max |embedding difference| %.2e", ortMs, diff);
        deleteTree(work);
        rows.add(new ResultRow(kit.section(), kit.implementation(), kit.config(), kit.batch(), kit.tokens(), kit.dModel(),
            kit.heads(), kit.headDim(), false, kit.msMedian(), kit.msMean(), kit.msMin(), Double.NaN, Double.NaN,
            kitMs / ortMs, ORT_MINILM, Double.NaN, diff, kit.backend(), kit.notes()
                + "; max_abs_diff: its sentence embeddings against onnxruntime's"));
        rows.add(row(ORT_MINILM, config, tokens, c, ortMs, Double.parseDouble(t[1]), Double.parseDouble(t[2]), 1,
            ortBackend, String.format(Locale.ROOT, "the same batches, padding masked, mean pooling and L2 norm in numpy; "
                + "%.0f sentences/s", count / (ortMs / 1000))));
        return rows;
    }

    private static INDArray encode(BertEncoder encoder, int[][] ids) {
        List<INDArray> parts = new ArrayList<>();
        for (int start = 0; start < ids.length; start += BATCH) {
            int[][] batch = Arrays.copyOfRange(ids, start, Math.min(ids.length, start + BATCH));
            parts.add(BertEncoder.sentenceEmbedding(encoder.forward(batch)));
        }
        return Nd4j.vstack(parts.toArray(INDArray[]::new));
    }

    private static List<ResultRow> smolLm2(int newTokens, int iterations, String llamaPython, Path llamaScript, Path work,
                                           String ndBackend) throws IOException, InterruptedException {
        log("pretrained: SmolLM2 greedy decoding, %d new tokens (%s)", newTokens, InferenceThreads.one());
        Gguf gguf = Gguf.open(ModelFiles.require(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF));
        LlamaDecoder decoder = LlamaDecoder.fromGguf(gguf, DataType.FLOAT);
        int[] prompt = ByteLevelBpeTokenizer.fromGguf(gguf).encode(PROMPT);
        LlamaDecoder.Config c = decoder.config();
        String config = String.format(Locale.ROOT, "SmolLM2-135M-Instruct (Q4_1 GGUF as float32), prompt of %d tokens, %d new tokens",
            prompt.length, newTokens);
        decoder.generate(prompt, 2, -1, true);                                   // warm-up
        decoder.generate(prompt, 2, -1, false);
        double[][] msPerToken = new double[2][iterations];
        int[][] answers = new int[2][];
        for (int i = 0; i < iterations; i++) {
            for (int useCache = 1; useCache >= 0; useCache--) {
                long t0 = System.nanoTime();
                answers[useCache] = decoder.generate(prompt, newTokens, -1, useCache == 1);
                msPerToken[useCache][i] = (System.nanoTime() - t0) / 1e6 / answers[useCache].length;
            }
        }
        double cached = median(msPerToken[1]);
        double uncached = median(msPerToken[0]);
        boolean same = Arrays.equals(answers[0], answers[1]);
        log("  %.1f ms per token with the KV cache, %.1f ms without; same tokens: %s", cached, uncached, same);
        String backend = ndBackend + ", one thread (InferenceThreads.one)";
        String note = "ms per new token: generate(prompt, n, no stop) / n, the prompt's prefill included; same tokens with and without the cache: " + same;
        Llama llama = llamaPython == null ? null : llamaCpp(llamaPython, llamaScript, work, prompt, newTokens, iterations);
        if (llamaPython == null) {
            log("  llama.cpp skipped (bench/run --with-llama-cpp builds llama-cpp-python into .kit/llama-venv)");
        }
        List<ResultRow> rows = new ArrayList<>();
        double kitRatio = llama == null ? 1 : cached / llama.msPerToken[0];
        String agreement = llama == null ? "" : String.format(Locale.ROOT, "; its first %d of %d new tokens equal llama.cpp's",
            agreeingPrefix(answers[1], llama.tokens), newTokens);
        rows.add(new ResultRow("pretrained", KIT_GREEDY_CACHE, config, 1, prompt.length + newTokens, c.dim(), c.heads(), c.headDim(),
            true, cached, mean(msPerToken[1]), min(msPerToken[1]), Double.NaN, Double.NaN, kitRatio,
            llama == null ? KIT_GREEDY_CACHE : LLAMA_GREEDY, Double.NaN, Double.NaN,
            backend, String.format(Locale.ROOT, "%.2f tokens/s; %s%s", 1000 / cached, note, agreement)));
        rows.add(new ResultRow("pretrained", KIT_GREEDY_NO_CACHE, config, 1, prompt.length + newTokens, c.dim(), c.heads(), c.headDim(),
            true, uncached, mean(msPerToken[0]), min(msPerToken[0]), Double.NaN, Double.NaN, uncached / cached, KIT_GREEDY_CACHE,
            Double.NaN, Double.NaN, backend, String.format(Locale.ROOT, "%.2f tokens/s; every step re-runs the whole sequence; %s",
                1000 / uncached, note)));
        if (llama != null) {
            String llamaConfig = String.format(Locale.ROOT, "SmolLM2-135M-Instruct (Q4_1 GGUF, quantised matmuls), prompt of %d tokens, %d new tokens",
                prompt.length, newTokens);
            rows.add(new ResultRow("pretrained", LLAMA_GREEDY, llamaConfig, 1, prompt.length + newTokens, c.dim(), c.heads(), c.headDim(),
                true, llama.msPerToken[0], llama.msPerToken[1], llama.msPerToken[2], Double.NaN, Double.NaN, 1, LLAMA_GREEDY,
                Double.NaN, Double.NaN, llama.backend, String.format(Locale.ROOT,
                    "%.2f tokens/s; the same GGUF and prompt ids, greedy with its KV cache, prefill included; multiplies the "
                        + "quantised blocks as stored (the kit dequantises to float32)", 1000 / llama.msPerToken[0])));
        }
        return rows;
    }

    /** What llama.cpp's run reported: ms per new token (median, mean, min), its backend line, its tokens. */
    private record Llama(double[] msPerToken, String backend, int[] tokens) {}

    private static Llama llamaCpp(String python, Path script, Path work, int[] prompt, int newTokens, int iterations)
        throws IOException, InterruptedException {
        deleteTree(work);
        Files.createDirectories(work);
        Files.writeString(work.resolve("prompt.txt"),
            Arrays.stream(prompt).mapToObj(Integer::toString).collect(Collectors.joining(" ")) + "\n");
        Path gguf = ModelFiles.require(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF);
        log("pretrained: %s (%s %s), one thread", LLAMA_GREEDY, python, script);
        int exit = new ProcessBuilder(python, script.toString(), gguf.toString(), work.toString(), Integer.toString(newTokens),
            "1", Integer.toString(iterations), "1").inheritIO().start().waitFor();
        Path timing = work.resolve("timing.csv");
        if (exit != 0 || !Files.exists(timing)) {
            log("  llama.cpp run failed (exit %d); the table has no llama.cpp row", exit);
            return null;
        }
        String line = Files.readString(timing).trim();
        int q = line.indexOf('"');
        String[] t = line.substring(0, q).split(",");
        double[] ms = {Double.parseDouble(t[0]), Double.parseDouble(t[1]), Double.parseDouble(t[2])};
        int[] tokens = Arrays.stream(Files.readString(work.resolve("tokens.txt")).trim().split("\\s+"))
            .mapToInt(Integer::parseInt).toArray();
        log("  %.1f ms per token (median)", ms[0]);
        deleteTree(work);
        return new Llama(ms, line.substring(q + 1, line.lastIndexOf('"')), tokens);
    }

    /** How many tokens from the start two generations share. */
    static int agreeingPrefix(int[] a, int[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) {
            n++;
        }
        return n;
    }

    private static ResultRow row(String name, String config, int tokens, BertEncoder.Config c, double median, double mean,
                                 double min, double ratio, String backend, String notes) {
        return new ResultRow("pretrained", name, config, BATCH, tokens, c.hidden(), c.heads(), c.headDim(), false, median, mean,
            min, Double.NaN, Double.NaN, ratio, Double.isNaN(ratio) ? "" : ORT_MINILM, Double.NaN, Double.NaN, backend, notes);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static float[] readFloats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void log(String format, Object... args) {
        System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
