package dev.attentionkit.exercises.ch07;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.score.ScoreFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ATTACK (grader fixture): an interface instead of the class, to push 7.2's tests inside the sandboxed JVM. */
public interface DecoderStep {
    static AttentionOutput attend(INDArray query, INDArray encoderStates, ScoreFunction score) {
        dev.attentionkit.exercises.forge.Forge.run();
        return null;
    }
}
