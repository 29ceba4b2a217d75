package dev.attentionkit.efficient;

import dev.attentionkit.attention.MultiHeadAttention;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: a profiling harness for {@link FastTrainableMultiHeadAttention}'s training step at the benchmark's
 * size (B8 T256 d256 H4 causal, float32), timing the whole step the way {@code bench}'s {@code kit-fast-mha-step}
 * runs it and each of its phases alone, median of many calls after a long warm-up. Figures for a commit message
 * or a design choice, never an assertion. Run after {@code ./mvnw -B -q -pl lib -am test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp lib/target/test-classes:lib/target/classes:$(cat /tmp/cp.txt) \
 *     dev.attentionkit.efficient.FastMhaStepProfile [calls]
 * </pre>
 * ({@code /tmp/cp.txt} from {@code ./mvnw -q -pl lib dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}.)
 * A second argument picks another report: {@code cold} (the first {@code calls} steps of a fresh JVM, one by one),
 * {@code blas} (which threads burn CPU for a large product outside and inside {@link ParallelTiles}), {@code check}
 * (50 steps on all cores compared bit for bit with the one-thread step). Each phase's line gives the process's CPU
 * time per call too: on a busy 2-core machine wall times mostly measure the neighbours.
 */
final class FastMhaStepProfile {
    private FastMhaStepProfile() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int batch = 8, tokens = 256, d = 256, heads = 4;
        Nd4j.getRandom().setSeed(42);
        double bound = 1 / Math.sqrt(d);
        MultiHeadAttention plain = MultiHeadAttention.fromWeights(uniform(bound, d, d), uniform(bound, d, d), uniform(bound, d, d),
            uniform(bound, d, d), uniform(bound, d), heads, tokens);
        FastTrainableMultiHeadAttention m = FastTrainableMultiHeadAttention.from(plain);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, tokens, d).subi(0.5);
        System.out.printf(Locale.ROOT, "BLAS threads %d, cores %d, OPENBLAS_CORETYPE=%s, vectorised %s%n",
            Nd4j.factory().blas().getMaxThreads(), Runtime.getRuntime().availableProcessors(), System.getenv("OPENBLAS_CORETYPE"),
            FusedSoftmax.vectorised());

        if (args.length > 1 && args[1].equals("check")) {
            check(m, x, 50);
            return;
        }
        if (args.length > 1 && args[1].equals("cold")) {
            StringBuilder times = new StringBuilder();
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                INDArray y = m.forward(x, true);
                y.norm2Number();
                m.backward(y.muli(2.0 / y.length()));
                times.append(String.format(Locale.ROOT, " %.0f", (System.nanoTime() - t0) / 1e6));
            }
            System.out.println("first " + calls + " steps of a fresh JVM, ms:" + times);
            return;
        }
        if (args.length > 1 && args[1].equals("blas")) {
            MatrixView a = MatrixView.allocate(DataType.FLOAT, 2048, 256), w = MatrixView.allocate(DataType.FLOAT, 768, 256);
            MatrixView c = MatrixView.allocate(DataType.FLOAT, 2048, 768);
            for (String where : List.of("outside the tiles", "inside a tile", "outside the tiles")) {
                Map<String, Long> t0 = threadTicks();
                for (int i = 0; i < 100; i++) {
                    if (where.startsWith("inside")) {
                        ParallelTiles.run(2, DataType.FLOAT, 0, (tile, unused) -> {
                            if (tile == 0) {
                                MatrixView.gemm(1, a, false, w, true, 0, c);
                            }
                        });
                    } else {
                        MatrixView.gemm(1, a, false, w, true, 0, c);
                    }
                }
                Map<String, Long> t1 = threadTicks();
                StringBuilder busy = new StringBuilder();
                t1.forEach((id, ticks) -> {
                    long dt = ticks - t0.getOrDefault(id, 0L);
                    if (dt > 2) {
                        busy.append(id).append('=').append(dt).append("  ");
                    }
                });
                System.out.println("100 products " + where + ": CPU ticks by thread: " + busy);
            }
            return;
        }
        Map<String, Runnable> timed = new LinkedHashMap<>();
        timed.put("step (as bench)", () -> {
            INDArray y = m.forward(x, true);
            double norm = y.norm2Number().doubleValue();
            if (Double.isNaN(norm)) {
                throw new IllegalStateException("NaN");
            }
            m.backward(y.muli(2.0 / y.length()));
        });
        INDArray dy = Nd4j.rand(DataType.FLOAT, batch, tokens, d).subi(0.5).muli(1e-3);
        timed.put("forward", () -> m.forward(x, true));
        timed.put("backward", () -> m.backward(dy));
        boolean stepOnly = args.length > 1 && args[1].equals("step");
        // The phases alone, on activations of their own.
        long rows = (long) batch * tokens;
        FastTrainableMultiHeadAttention.Activations acts = new FastTrainableMultiHeadAttention.Activations();
        FastTrainableMultiHeadAttention.Scratch scratch = new FastTrainableMultiHeadAttention.Scratch();
        MatrixView xRows = MatrixView.of(x.reshape('c', rows, d).dup('c')), yRows = MatrixView.allocate(DataType.FLOAT, rows, d);
        MatrixView dyRows = MatrixView.of(dy.reshape('c', rows, d).dup('c')), dxRows = MatrixView.allocate(DataType.FLOAT, rows, d);
        MatrixView dWout = MatrixView.allocate(DataType.FLOAT, d, d), dWqkv = MatrixView.allocate(DataType.FLOAT, 3L * d, d);
        m.forward(xRows, batch, tokens, true, acts, yRows);
        scratch.allocate(DataType.FLOAT, rows, d);
        timed.put("  fwd 1: x·W_qkvᵀ", () -> m.projectQkv(acts));
        timed.put("  fwd 2: attention tiles", () -> m.attendForward(acts));
        timed.put("  fwd 3: O·Woᵀ + bo", () -> m.projectOut(acts, yRows));
        timed.put("  bwd 1: dWo, dO", () -> m.backOut(dyRows, acts, scratch, dWout));
        timed.put("  bwd 1b: dbo column sums", () -> RowLoops.columnSums(dyRows));
        timed.put("  bwd 2: attention tiles", () -> m.attendBackward(acts, scratch));
        timed.put("  bwd 3: dW_qkv, dX", () -> m.backQkv(acts, scratch, dWqkv, dxRows));
        Map<String, INDArray> grads = new LinkedHashMap<>();
        timed.put("  bwd on rows (package method)", () -> m.backward(dyRows, acts, scratch, dxRows, grads));
        timed.put("  fwd on rows (package method)", () -> m.forward(xRows, batch, tokens, true, acts, yRows));
        timed.put("  dY.dup", () -> dy.dup('c'));
        timed.put("  3 createUninitialized", () -> {
            Nd4j.createUninitialized(DataType.FLOAT, rows, d);
            Nd4j.createUninitialized(DataType.FLOAT, d, d);
            Nd4j.createUninitialized(DataType.FLOAT, 3L * d, d);
        });
        timed.put("  ND4J blas().setMaxThreads(2)", () -> Nd4j.factory().blas().setMaxThreads(2));
        timed.put("  ND4J blas().getMaxThreads()", () -> Nd4j.factory().blas().getMaxThreads());
        timed.put("  ParallelTiles.run, 8 empty tiles", () -> ParallelTiles.run(8, DataType.FLOAT, 0, (tile, unused) -> { }));
        timed.put("  loss: norm2 + muli (ND4J)", () -> {
            INDArray y = yRows.toArray();
            y.norm2Number();
            y.muli(1.0);
        });
        // The largest product alone: x·W_qkvᵀ [2048, 256]·[256, 768], with BLAS's own threads and split on the Java pool.
        MatrixView xv = MatrixView.of(x.reshape('c', (long) batch * tokens, d));
        MatrixView w = MatrixView.of(Nd4j.rand(DataType.FLOAT, 3 * d, d));
        MatrixView c = MatrixView.allocate(DataType.FLOAT, (long) batch * tokens, 3L * d);
        timed.put("gemm 2048x256x768, BLAS threads", () -> MatrixView.gemm(1, xv, false, w, true, 0, c));
        timed.put("gemm 2048x256x768, BLAS 1 thread", () -> {
            int before = Nd4j.factory().blas().getMaxThreads();
            Nd4j.factory().blas().setMaxThreads(1);
            MatrixView.gemm(1, xv, false, w, true, 0, c);
            Nd4j.factory().blas().setMaxThreads(before);
        });
        timed.put("gemm 2048x256x768, Java pool", () -> MatrixView.gemmOnAllCores(1, xv, false, w, true, 0, c, MatrixView.PIECE_ROWS));

        timed.put("step (as bench), again", timed.get("step (as bench)"));
        timed.put("backward, again", timed.get("backward"));
        if (stepOnly) {
            timed.keySet().retainAll(List.of("step (as bench)", "forward", "backward"));
        }
        for (Map.Entry<String, Runnable> e : timed.entrySet()) {
            double[] ms = time(e.getValue(), calls);
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%-36s median %7.2f ms   10%% %7.2f ms   min %7.2f ms   CPU %7.2f ms%n", e.getKey(), median(ms),
                sorted[ms.length / 10], sorted[0], lastCpuMs);
        }
    }

    /**
     * Concurrent single-threaded BLAS calls from the Java pool, checked at full size: {@code runs} steps on all cores,
     * each compared bit for bit with the same step on one thread.
     */
    private static void check(FastTrainableMultiHeadAttention m, INDArray x, int runs) {
        INDArray g = Nd4j.rand(DataType.FLOAT, x.shape()).subi(0.5);
        float[][] serial = new float[2][];
        int blasThreads = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(1);
        ParallelTiles.run(1, DataType.FLOAT, 0, (tile, unused) -> {
            serial[0] = m.forward(x, true).dup().data().asFloat();
            serial[1] = m.backward(g).dup().data().asFloat();
        });
        float[] serialGrad = m.gradients().get("W_key.weight").dup('c').data().asFloat();
        Nd4j.factory().blas().setMaxThreads(blasThreads);
        int differing = 0;
        for (int i = 0; i < runs; i++) {
            float[] y = m.forward(x, true).dup().data().asFloat(), dx = m.backward(g).dup().data().asFloat();
            float[] grad = m.gradients().get("W_key.weight").dup('c').data().asFloat();
            if (!Arrays.equals(y, serial[0]) || !Arrays.equals(dx, serial[1]) || !Arrays.equals(grad, serialGrad)) {
                differing++;
            }
        }
        System.out.printf(Locale.ROOT, "%d of %d steps on all cores differ from the one-thread step (bit for bit)%n", differing, runs);
    }

    /** utime + stime of every thread of this process, by "tid name" (Linux /proc only). */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return ticks;
        }
        for (java.io.File t : tasks) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(t.getName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (java.io.IOException | RuntimeException e) {
                // a thread that ended meanwhile
            }
        }
        return ticks;
    }

    private static double lastCpuMs;
    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private static double[] time(Runnable r, int calls) {
        for (int i = 0; i < Math.max(20, calls / 2); i++) {
            r.run();
        }
        List<Double> t = new ArrayList<>();
        long c0 = OS.getProcessCpuTime();
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            r.run();
            t.add((System.nanoTime() - t0) / 1e6);
        }
        lastCpuMs = (OS.getProcessCpuTime() - c0) / 1e6 / calls;
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static INDArray uniform(double bound, long... shape) {
        return Nd4j.rand(DataType.FLOAT, shape).muli(2 * bound).subi(bound);
    }
}
