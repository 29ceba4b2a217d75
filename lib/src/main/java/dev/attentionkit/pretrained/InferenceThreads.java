package dev.attentionkit.pretrained;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Runs ND4J on one thread, for reading small models one sentence at a time. With a few dozen tokens
 * every matrix is too small to split across cores, and ND4J's default (OpenMP and BLAS threads on every
 * core) then spends its time handing work between threads, which a busy machine makes far worse (the
 * measurement is in bench/README.md, "Measurements the code's comments rely on"). This changes process-wide settings: call it once, in a
 * notebook or tool that only runs such models.
 */
public final class InferenceThreads {
    private InferenceThreads() {}

    /** One OpenMP thread, one BLAS thread; returns a line saying so. */
    public static String one() {
        Nd4j.getBackend();
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
        return "ND4J set to one thread for small-model inference";
    }
}
