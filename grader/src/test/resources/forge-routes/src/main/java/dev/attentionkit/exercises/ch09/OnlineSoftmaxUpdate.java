package dev.attentionkit.exercises.ch09;

import dev.attentionkit.efficient.OnlineSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ATTACK (grader fixture): an interface instead of the class, to push 9.2's tests inside the sandboxed JVM. */
public interface OnlineSoftmaxUpdate {
    static OnlineSoftmax.State update(OnlineSoftmax.State state, INDArray scoresBlock, INDArray valuesBlock) {
        dev.attentionkit.exercises.forge.Forge.run();
        return null;
    }
}
