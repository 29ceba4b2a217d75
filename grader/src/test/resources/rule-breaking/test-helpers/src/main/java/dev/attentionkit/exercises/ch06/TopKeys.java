package dev.attentionkit.exercises.ch06;

import java.lang.reflect.Method;
import org.nd4j.linalg.api.ndarray.INDArray;

// BREAKS THE RULES (grader fixture): 6.1 calls the private TopKeysTest.reference by reflection
public final class TopKeys {
    private TopKeys() {}

    public static int[][] topK(INDArray weights, int k) {
        try {
            Method m = Class.forName("dev.attentionkit.exercises.ch06.TopKeysTest").getDeclaredMethod("reference", double[][].class, int.class);
            m.setAccessible(true);
            return (int[][]) m.invoke(null, weights.toDoubleMatrix(), k);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
