package dev.attentionkit.exercises.ch02;

import org.nd4j.linalg.api.ndarray.INDArray;

/** ATTACK (grader fixture, after the attack branch): a constructor widened to Object, to push 2.1's tests inside. */
public final class MySelfAttentionV1 {
    public MySelfAttentionV1(Object wQuery, INDArray wKey, INDArray wValue) {
        dev.attentionkit.exercises.forge.Forge.run();
    }

    public INDArray forward(INDArray x) {
        dev.attentionkit.exercises.forge.Forge.run();
        return x;
    }
}
