package dev.attentionkit.notebook;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Start-up for notebooks and tools: loads the ND4J backend reliably and says which one is running.
 *
 * <p>ND4J finds its backend with {@link java.util.ServiceLoader} through the thread's context class
 * loader. Inside a JShell-based kernel that loader can be one that does not see the kernel's class
 * path, and the backend is then "not found". Loading with this library's own class loader as the
 * context loader avoids that, whichever thread the kernel runs the first cell on.
 */
public final class Kit {
    private Kit() {}

    /**
     * Loads the backend (once) and returns a description: the backend, e.g. {@code ND4J 1.0.0-M2.1 CPU
     * backend, float32 by default}, and on the CPU a second line naming the BLAS kernel that runs
     * ({@link Blas#describe()}).
     */
    public static synchronized String init() {
        loadBackend();
        String line = backend();
        if (line.contains("CPU")) {
            line += "\n" + Blas.describe();
        }
        if (gpuRequested() && !line.contains("CUDA")) {
            return line + "\n" + GPU_UNAVAILABLE;
        }
        return line;
    }

    /** Loads the backend once, with this library's class loader as context loader (see the class comment). */
    public static synchronized void loadBackend() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            thread.setContextClassLoader(Kit.class.getClassLoader());
            Nd4j.getBackend();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Shown when the GPU backend was asked for ({@code ./kit lab --gpu}) but ND4J fell back to the CPU:
     * the notebook still runs, only slower.
     */
    static final String GPU_UNAVAILABLE = "The GPU backend was asked for (./kit lab --gpu) but ND4J could not use it, so this "
        + "notebook runs on the CPU backend. ND4J 1.0.0-M2.1's CUDA 11.6 build needs an NVIDIA GPU up to the Ampere "
        + "generation (compute capability 8.6) and an NVIDIA driver for CUDA 11.6 or newer.";

    private static boolean gpuRequested() {
        return "gpu".equalsIgnoreCase(System.getenv("ATTENTION_KIT_BACKEND"));
    }

    /** A one-line description of the backend that is running. */
    public static String backend() {
        String name = Nd4j.getBackend().getClass().getSimpleName();
        String kind = name.startsWith("Cpu") ? "CPU" : name.contains("Cuda") || name.contains("JCublas") ? "CUDA (GPU)" : name;
        String version = Nd4j.class.getPackage().getImplementationVersion();
        String dtype = switch (Nd4j.defaultFloatingPointType()) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> Nd4j.defaultFloatingPointType().name().toLowerCase(java.util.Locale.ROOT);
        };
        return "ND4J " + (version == null ? "1.0.0-M2.1" : version) + " " + kind + " backend, " + dtype + " by default";
    }
}
