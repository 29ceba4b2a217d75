package dev.attentionkit.grading.runner;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads ND4J once in a trusted JVM (no student code) so that JavaCPP extracts its native
 * libraries into {@code -Dorg.bytedeco.javacpp.cachedir}; the sandboxed JVMs then find them
 * there, read-only, instead of unpacking 400 MB each.
 */
public final class NativeWarmup {
    private NativeWarmup() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.out.println("ND4J ready: " + Nd4j.create(new float[] {1, 2}).sumNumber());
    }
}
