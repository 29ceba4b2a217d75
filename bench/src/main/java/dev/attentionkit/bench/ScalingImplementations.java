package dev.attentionkit.bench;

import dev.attentionkit.efficient.BlockedAttention;
import dev.attentionkit.efficient.LinearAttention;
import dev.attentionkit.efficient.SlidingWindowAttention;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The scaling study: one causal head ({@code [1, tokens, 64]}) through full, blocked, sliding-window and
 * linear attention. One line per implementation, as in {@link HeadlineImplementations}.
 */
public final class ScalingImplementations {
    public static final int HEAD_DIM = 64;
    public static final int WINDOW = 256;

    /** Builds the timed call from q, k, v {@code [1, tokens, 64]}; building may precompute buffers (a mask). */
    public interface Factory {
        Supplier<INDArray> build(INDArray q, INDArray k, INDArray v);
    }

    private static final Map<String, Factory> ALL = new LinkedHashMap<>();
    private static final Map<String, String> NOTES = new LinkedHashMap<>();

    static {
        add("full", "plain: [T,T] scores, precomputed -inf mask added in place, in-place softmax, times V", ScalingImplementations::full);
        add("blocked", "BlockedAttention, tiles " + BlockedAttention.DEFAULT_QUERY_BLOCK + "x" + BlockedAttention.DEFAULT_KEY_BLOCK + ", keys after each query block skipped",
            (q, k, v) -> () -> BlockedAttention.apply(q, k, v, true));
        add("sliding-window", "SlidingWindowAttention, window " + WINDOW + ", causal",
            (q, k, v) -> () -> SlidingWindowAttention.apply(q, k, v, WINDOW, true));
        add("linear", "LinearAttention, elu+1 features, causal running sums (chunk " + LinearAttention.DEFAULT_CHUNK + ")",
            (q, k, v) -> () -> LinearAttention.apply(q, k, v, true));
    }

    private ScalingImplementations() {}

    public static void add(String name, String notes, Factory factory) {
        ALL.put(name, factory);
        NOTES.put(name, notes);
    }

    public static Map<String, Factory> all() {
        return ALL;
    }

    public static String notes(String name) {
        return NOTES.get(name);
    }

    /** q, k, v for one head of 64, uniform in [-1, 1), seeded. */
    public static INDArray[] inputs(int tokens, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        INDArray[] qkv = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            qkv[i] = Nd4j.createFromArray(SeededInputs.uniform(random, (long) tokens * HEAD_DIM, 1)).reshape(1, tokens, HEAD_DIM);
        }
        return qkv;
    }

    /** The plain form with its memory kept to the one [T, T] score matrix (everything in place). */
    private static Supplier<INDArray> full(INDArray q, INDArray k, INDArray v) {
        int t = (int) q.size(1);
        INDArray mask = PlainMultiHeadAttention.causalMask(t);     // a buffer of the module, as in the book
        INDArray q2 = q.reshape(t, HEAD_DIM), k2 = k.reshape(t, HEAD_DIM), v2 = v.reshape(t, HEAD_DIM);
        return () -> {
            INDArray scores = Nd4j.matmul(q2, k2, false, true, false).divi(Math.sqrt(HEAD_DIM));   // [T, T]
            scores.addi(mask);
            Nd4j.exec(new SoftMax(scores, scores, 1));
            INDArray out = Nd4j.matmul(scores, v2);                                 // [T, 64]
            scores.close();
            return out.reshape(1, t, HEAD_DIM);
        };
    }
}
