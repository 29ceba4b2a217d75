package dev.attentionkit.notebook;

import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Which BLAS ND4J's CPU backend runs on, and how fast it multiplies matrices.
 *
 * <p>ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19. OpenBLAS picks one kernel ("core type") for the CPU when
 * it loads, from {@code OPENBLAS_CORETYPE} if set, else from the CPU it recognises; on CPUs newer than
 * the library it falls back to a slow generic kernel. {@code tools/blas-env.sh} (sourced by {@code ./kit},
 * {@code ./mvnw} and {@code bench/run}) therefore sets {@code OPENBLAS_CORETYPE} from the CPU's
 * instruction sets unless the user set it. This class reports the kernel actually running: it reads
 * OpenBLAS's own dispatch pointer ({@code gotoblas}) and compares it with the kernel tables the library
 * exports ({@code gotoblas_SKYLAKEX}, ...), so the answer is the library's, not a guess from the variable.
 */
public final class Blas {
    private Blas() {}

    /** The x86-64 kernel tables of OpenBLAS 0.3.19 built with DYNAMIC_ARCH (the names it accepts in OPENBLAS_CORETYPE). */
    static final List<String> CORE_TYPES = List.of("PRESCOTT", "CORE2", "PENRYN", "DUNNINGTON", "NEHALEM", "SANDYBRIDGE",
        "HASWELL", "SKYLAKEX", "COOPERLAKE", "ATOM", "OPTERON", "OPTERON_SSE3", "BARCELONA", "BOBCAT", "BULLDOZER",
        "PILEDRIVER", "STEAMROLLER", "EXCAVATOR", "ZEN", "KATMAI", "COPPERMINE", "NORTHWOOD", "BANIAS", "NANO");

    /** The library ND4J's BLAS calls go to: {@code "OpenBLAS"} or {@code "MKL"} (JavaCPP's {@code org.bytedeco.openblas.load=mkl_rt}). */
    public static String library() {
        loaded();
        return Loader.getLoadedLibraries().keySet().stream().anyMatch(k -> k.startsWith("mkl_rt")) ? "MKL" : "OpenBLAS";
    }

    /**
     * The OpenBLAS kernel in use, e.g. {@code "SKYLAKEX"}, as OpenBLAS itself dispatches; {@code null} when
     * the BLAS is not OpenBLAS or the kernel cannot be read (a build without DYNAMIC_ARCH, another OS).
     */
    public static String coreType() {
        if (!"OpenBLAS".equals(library())) {
            return null;
        }
        try {
            String path = Loader.getLoadedLibraries().get("openblas@.0"); // the one libnd4jcpu links against
            if (path == null) {
                return null;
            }
            // No Loader.loadGlobal here: promoting the library to global scope lets the second OpenBLAS copy
            // (openblas_nolapack) bind to this one's allocator, and both then free each other's memory at exit.
            Pointer dispatch = Loader.addressof("gotoblas");
            if (dispatch == null) {
                return null;
            }
            long table = new LongPointer(dispatch).get();
            for (String name : CORE_TYPES) {
                Pointer candidate = Loader.addressof("gotoblas_" + name);
                if (candidate != null && candidate.address() == table) {
                    return name;
                }
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return null;
        }
        return null;
    }

    /** Who chose the kernel: the user's {@code OPENBLAS_CORETYPE}, the kit (from the CPU's features), or OpenBLAS itself. */
    public static String coreTypeSource() {
        Map<String, String> env = System.getenv();
        String set = env.get("OPENBLAS_CORETYPE");
        if (set == null || set.isBlank()) {
            return "chosen by OpenBLAS from the CPU it recognises";
        }
        if (set.equals(env.get("ATTENTION_KIT_CORETYPE"))) {
            return "chosen by the kit from the CPU's instruction sets (tools/blas-env.sh)";
        }
        return "from your OPENBLAS_CORETYPE=" + set;
    }

    /** One line for banners, e.g. {@code BLAS: OpenBLAS 0.3.19, kernel SKYLAKEX (chosen by the kit ...)}. */
    public static String describe() {
        String library = library();
        if (!"OpenBLAS".equals(library)) {
            return "BLAS: Intel " + library + " (mkl_rt, loaded through org.bytedeco.openblas.load)";
        }
        String core = coreType();
        return "BLAS: OpenBLAS 0.3.19, kernel " + (core == null ? "unknown" : core) + " (" + coreTypeSource() + ")";
    }

    /**
     * Measures float32 matrix products {@code [n, n] x [n, n]} (ND4J's {@code mmul}, i.e. sgemm on all
     * cores) and returns the best rate of {@code repeats} calls after two warm-up calls, in GFLOP/s
     * ({@code 2 n^3} floating-point operations per call). The best rather than the mean, since a shared
     * machine only ever slows a call down.
     */
    public static double sgemmGflops(int n, int repeats) {
        if (n < 1 || repeats < 1) {
            throw new IllegalArgumentException("sgemmGflops wants n >= 1 and repeats >= 1, got n=" + n + ", repeats=" + repeats);
        }
        loaded();
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n);
        a.mmuli(b, c);
        a.mmuli(b, c);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            a.mmuli(b, c);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return 2.0 * n * n * (double) n / best / 1e9;
    }

    /**
     * Checks the BLAS's float32 products against float64 ones, for several shapes including odd sizes and a
     * transposed (column-major) operand, and returns the worst ratio of error to the rigorous float32 error
     * bound: {@code |C - C64| <= k·u·(|A|·|B|)} elementwise, {@code u = 2^-24}, which holds for any order of
     * summation. A correct kernel gives a ratio below 1; a kernel the CPU runs wrongly gives far more.
     */
    public static double sgemmErrorRatio() {
        loaded();
        long[][] shapes = {{1, 1, 1}, {7, 13, 5}, {17, 33, 65}, {127, 255, 63}, {513, 129, 257}, {1000, 1001, 999}, {2048, 64, 2048}};
        double worst = 0;
        for (long[] mkn : shapes) {
            INDArray a = Nd4j.rand(DataType.FLOAT, mkn[0], mkn[1]).subi(0.5);
            INDArray b = Nd4j.rand(DataType.FLOAT, mkn[1], mkn[2]).subi(0.5);
            for (INDArray left : List.of(a, a.dup('f'))) {
                INDArray c = left.mmul(b).castTo(DataType.DOUBLE);
                INDArray exact = left.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE));
                INDArray bound = Transforms.abs(left.castTo(DataType.DOUBLE)).mmul(Transforms.abs(b.castTo(DataType.DOUBLE)))
                    .muli(mkn[1] * Math.pow(2, -24)).addi(Double.MIN_NORMAL);
                double ratio = Transforms.abs(c.subi(exact)).divi(bound).maxNumber().doubleValue();
                worst = Math.max(worst, Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio);
            }
        }
        return worst;
    }

    private static void loaded() {
        Kit.loadBackend(); // the backend, and with it the BLAS, loads with the kit's class loader
    }
}
