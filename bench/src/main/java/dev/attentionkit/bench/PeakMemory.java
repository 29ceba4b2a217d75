package dev.attentionkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Peak extra memory of one call: how far the process's resident memory rises above what it was just
 * before the call (inputs, weights and precomputed masks already allocated, so they are not counted).
 *
 * <p>How it is measured, and why it is honest for ND4J: ND4J's CPU backend allocates array memory with
 * {@code malloc} outside the Java heap, so the Java heap says nothing and javacpp's
 * {@code Pointer.totalBytes()} does not see it either. The resident set does. Linux keeps its high-water
 * mark ({@code VmHWM} in {@code /proc/self/status}), which writing {@code 5} to {@code /proc/self/clear_refs}
 * resets; so: collect garbage, reset the mark, read {@code VmRSS}, call, read {@code VmHWM}. The JVM runs
 * with {@code MALLOC_MMAP_THRESHOLD_=65536} so that every array above 64 KiB is its own mapping and goes
 * back to the OS when freed (otherwise glibc may reuse freed memory silently, or keep it), and with a
 * pre-touched heap ({@code -Xms2g -Xmx2g -XX:+AlwaysPreTouch}) so heap growth cannot pass for native memory.
 * Where {@code clear_refs} is unavailable (not Linux), {@code Pointer.physicalBytes()} is sampled every
 * millisecond instead, which can miss short peaks.
 *
 * <p>Run as its own JVM by {@link BenchMain}: {@code PeakMemory out.csv tokens...}, writing
 * {@code implementation,tokens,peak_extra_mib} lines.
 */
public final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> lines = new ArrayList<>();
        boolean exact = canResetPeak();
        for (String impl : ScalingImplementations.all().keySet()) {
            warmUp(impl);
            for (int a = 1; a < args.length; a++) {
                int tokens = Integer.parseInt(args[a]);
                try {
                    INDArray[] qkv = ScalingImplementations.inputs(tokens, 5);
                    Supplier<INDArray> call = ScalingImplementations.all().get(impl).build(qkv[0], qkv[1], qkv[2]);
                    double mib = (exact ? peakByHighWaterMark(call) : peakBySampling(call)) / (1024.0 * 1024.0);
                    lines.add(String.format(Locale.ROOT, "%s,%d,%.2f,%s", impl, tokens, mib, exact ? "VmHWM" : "sampled"));
                    System.out.println("[bench] peak memory " + lines.get(lines.size() - 1));
                    Files.write(out, lines);
                } catch (RuntimeException | OutOfMemoryError e) {
                    System.out.println("[bench] peak memory " + impl + " at " + tokens + " failed: " + e);
                }
            }
        }
    }

    private static void warmUp(String impl) {
        INDArray[] qkv = ScalingImplementations.inputs(256, 1);
        ScalingImplementations.all().get(impl).build(qkv[0], qkv[1], qkv[2]).get();
    }

    static long peakByHighWaterMark(Supplier<INDArray> call) throws IOException, InterruptedException {
        settle();
        Files.writeString(CLEAR_REFS, "5");
        long before = statusKiB("VmRSS:");
        INDArray result = call.get();
        long peak = statusKiB("VmHWM:");
        result.close();
        return Math.max(0, peak - before) * 1024;
    }

    static long peakBySampling(Supplier<INDArray> call) throws InterruptedException {
        settle();
        long before = Pointer.physicalBytes();
        long[] peak = {before};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak[0] = Math.max(peak[0], Pointer.physicalBytes());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        INDArray result = call.get();
        sampler.interrupt();
        sampler.join();
        peak[0] = Math.max(peak[0], Pointer.physicalBytes());
        result.close();
        return Math.max(0, peak[0] - before);
    }

    /** Lets ND4J's deallocator thread release whatever earlier calls left to the garbage collector. */
    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    private static boolean canResetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return statusKiB("VmHWM:") > 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long statusKiB(String key) throws IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(key + " not in " + STATUS);
    }
}
