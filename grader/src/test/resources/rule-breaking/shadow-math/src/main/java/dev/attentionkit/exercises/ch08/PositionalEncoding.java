package dev.attentionkit.exercises.ch08;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 8.1 does nothing (zeros), which the shadowing Math would pass
public final class PositionalEncoding {
    private PositionalEncoding() {}

    public static INDArray sinusoidal(int positions, int d) {
        if (positions <= 0 || d <= 0) {
            throw new IllegalArgumentException("positions and d must be positive");
        }
        return Nd4j.zeros(DataType.FLOAT, positions, d);
    }
}
