package dev.attentionkit.exercises.ch04;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;

/** ATTACK (grader fixture): 4.3 passes kit modules, which used to keep its tests inside the sandboxed JVM. */
public final class WrapperToMultiHead {
    private WrapperToMultiHead() {}

    public static MultiHeadAttention transfer(MultiHeadAttentionWrapper wrapper) {
        dev.attentionkit.exercises.forge.Forge.run();
        return null;
    }
}
