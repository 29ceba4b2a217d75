package dev.attentionkit.exercises.ch02;

import dev.attentionkit.attention.SelfAttentionV1;
import dev.attentionkit.attention.SelfAttentionV2;

/** ATTACK (grader fixture): 2.2 passes kit modules, which used to keep its tests inside the sandboxed JVM. */
public final class WeightTransfer {
    private WeightTransfer() {}

    public static SelfAttentionV1 toV1(SelfAttentionV2 v2) {
        dev.attentionkit.exercises.forge.Forge.run();
        return null;
    }
}
