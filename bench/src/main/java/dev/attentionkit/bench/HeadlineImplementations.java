package dev.attentionkit.bench;

import dev.attentionkit.efficient.BlockedAttention;
import dev.attentionkit.efficient.FastMultiHeadAttention;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything the headline benchmark compares on ND4J, in table order. To add an implementation, add one
 * {@code add(new Implementation(...))} line below; the benchmark, the correctness check, the CSV and the
 * chart pick it up by name. (PyTorch runs in its own JVM: {@link TorchMultiHeadAttention}.)
 */
public final class HeadlineImplementations {
    private static final Map<String, Implementation> ALL = new LinkedHashMap<>();

    static {
        add(new Implementation("kit-fast-mha", true, "FastMultiHeadAttention: fused QKV GEMM, batched heads, causal blocks",
            in -> {
                FastMultiHeadAttention mha = FastMultiHeadAttention.fromWeights(in.wQkv(), null, in.wOut(), in.bOut(), in.workload().heads());
                return () -> mha.forward(in.x(), in.workload().causal());
            }));
        add(new Implementation("kit-blocked-mha", true, "fused QKV GEMM + BlockedAttention (online softmax, tiles "
            + BlockedAttention.DEFAULT_QUERY_BLOCK + "x" + BlockedAttention.DEFAULT_KEY_BLOCK + ") per head + out proj",
            in -> () -> blockedMultiHead(in)));
        add(new Implementation("plain-weight-split-mha", true, "separate W_q/W_k/W_v, full [B,H,T,T] scores, -inf mask, textbook softmax",
            in -> {
                PlainMultiHeadAttention mha = new PlainMultiHeadAttention(in);
                return () -> mha.forward(in.x());
            }));
        add(new Implementation("nd4j-builtin-mha", false, "Nd4j.nn().multiHeadDotProductAttention: no causal mask (only key padding),"
            + " so it computes all T*T pairs; features-first input prepared outside the timing; out bias added",
            HeadlineImplementations::builtin));
    }

    private HeadlineImplementations() {}

    public static void add(Implementation implementation) {
        ALL.put(implementation.name(), implementation);
    }

    public static Map<String, Implementation> all() {
        return ALL;
    }

    public static Implementation get(String name) {
        Implementation i = ALL.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no implementation " + name + "; known: " + ALL.keySet());
        }
        return i;
    }

    /** Fused projection, heads as [B, H, T, hd], the kit's BlockedAttention, then the output projection. */
    private static INDArray blockedMultiHead(Nd4jInputs in) {
        Workload w = in.workload();
        long b = w.batch(), t = w.tokens(), d = w.dModel(), h = w.heads(), hd = w.headDim();
        INDArray qkv = Nd4j.matmul(in.x().reshape(b * t, d), in.wQkv(), false, true, false);  // [b·t, 3d]
        INDArray parts = qkv.reshape(b, t, 3, h, hd).permute(2, 0, 3, 1, 4);                 // [3, b, h, t, hd]
        INDArray context = BlockedAttention.apply(parts.slice(0), parts.slice(1), parts.slice(2), w.causal());  // [b, h, t, hd]
        INDArray rows = context.permute(0, 2, 1, 3).dup('c').reshape(b * t, d);
        return Nd4j.matmul(rows, in.wOut(), false, true, false).addiRowVector(in.bOut()).reshape(b, t, d);
    }

    /** ND4J's own op. Layout: x as [B, d, T]; Wq/Wk/Wv [H, hd, d]; Wo [H·hd, d]; output [B, d, T]. */
    private static java.util.function.Supplier<INDArray> builtin(Nd4jInputs in) {
        Workload w = in.workload();
        long d = w.dModel(), h = w.heads(), hd = w.headDim();
        INDArray xFeaturesFirst = in.x().permute(0, 2, 1).dup('c');                  // [B, d, T]
        INDArray wq = in.wPart(0).reshape(h, hd, d), wk = in.wPart(1).reshape(h, hd, d), wv = in.wPart(2).reshape(h, hd, d);
        INDArray wo = in.wOut().transpose().dup('c');                                // concat · Wo = concat · W_outᵀ
        return () -> {
            INDArray out = Nd4j.nn().multiHeadDotProductAttention(xFeaturesFirst, xFeaturesFirst, xFeaturesFirst,
                wq, wk, wv, wo, null, true);                                           // [B, d, T]
            Broadcast.add(out, in.bOut(), out, 1);
            return out.permute(0, 2, 1);                                               // view [B, T, d]
        };
    }
}
