package dev.attentionkit.exercises.ch04;

import java.lang.reflect.Method;
import org.nd4j.linalg.api.ndarray.INDArray;

// BREAKS THE RULES (grader fixture): 4.1 reaches the package-private Heads.split by reflection
public final class HeadSplit {
    private HeadSplit() {}

    public static INDArray split(INDArray x, int numHeads) {
        try {
            Method m = Class.forName("dev.attentionkit.attention.Heads").getDeclaredMethod("split", INDArray.class, int.class);
            m.setAccessible(true);
            return (INDArray) m.invoke(null, x, numHeads);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static INDArray merge(INDArray heads) {
        long b = heads.size(0);
        long nh = heads.size(1);
        long t = heads.size(2);
        long hs = heads.size(3);
        return heads.permute(0, 2, 1, 3).dup('c').reshape('c', b, t, nh * hs);
    }
}
