package dev.attentionkit.doctor;

import dev.attentionkit.efficient.FusedSoftmax;
import dev.attentionkit.notebook.Blas;
import dev.attentionkit.notebook.Kit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code ./kit doctor}: what this machine gives the kit. The CPU, the JVM, ND4J's backend, the BLAS
 * kernel that runs and its measured float32 matrix-product rate, and whether the Vector API is on.
 */
public final class Doctor {
    private Doctor() {}

    /** Prints the report; {@code args} may hold the matrix size of the sgemm check (default 2048). */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        System.out.println("CPU:        " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible to the JVM");
        System.out.println("Java:       " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("ND4J:       " + Kit.backend());
        Kit.loadBackend();
        System.out.println(Blas.describe());
        System.out.printf(Locale.ROOT, "sgemm:      %.1f GFLOP/s (float32 %d x %d matrix product on all cores, best of 5)%n",
            Blas.sgemmGflops(n, 5), n, n);
        double ratio = Blas.sgemmErrorRatio();
        System.out.printf(Locale.ROOT, "results:    %s (float32 products vs float64, 7 shapes; worst error %.3g of the float32 bound)%n",
            ratio <= 1 ? "correct" : "WRONG: this kernel does not compute correctly on this CPU", ratio);
        System.out.println("Vector API: " + (FusedSoftmax.vectorised()
            ? "on (jdk.incubator.vector): FusedSoftmax runs vectorised"
            : "off: FusedSoftmax runs plain loops; start the JVM with --add-modules jdk.incubator.vector (./kit does)"));
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
