package dev.attentionkit.exercises.ch07;

import org.nd4j.autodiff.samediff.SDVariable;

/** ATTACK (grader fixture): 7.4 passes SameDiff variables, which used to keep its tests inside the sandboxed JVM. */
public final class SameDiffAttention {
    private SameDiffAttention() {}

    public static SDVariable context(SDVariable queries, SDVariable keys, SDVariable values) {
        dev.attentionkit.exercises.forge.Forge.run();
        return null;
    }
}
