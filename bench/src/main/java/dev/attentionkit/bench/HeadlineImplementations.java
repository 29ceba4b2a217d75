package dev.attentionkit.bench;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.FusedQkvAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;
import dev.attentionkit.efficient.BlockedAttention;
import dev.attentionkit.efficient.FastMultiHeadAttention;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
        // The course's own modules, as a learner meets them in chapters 03 and 04.
        add(new Implementation("lib-wrapper-mha", true, "MultiHeadAttentionWrapper (book 3.6.1): one CausalAttention per head,"
            + " concatenated, then the output projection", in -> {
                MultiHeadAttentionWrapper wrapper = bookWrapper(in);
                return () -> outProjection(in, wrapper.forward(in.x()));
            }));
        add(new Implementation("lib-weight-split-mha", true, "MultiHeadAttention (book 3.6.2): W_q/W_k/W_v, heads by reshape/permute,"
            + " causal mask, out proj", in -> {
                Workload w = in.workload();
                MultiHeadAttention mha = MultiHeadAttention.fromWeights(in.wPart(0), in.wPart(1), in.wPart(2), in.wOut(), in.bOut(),
                    (int) w.heads(), w.tokens());
                return () -> mha.forward(in.x());
            }));
        add(new Implementation("lib-fused-qkv-mha", true, "FusedQkvAttention (nanoGPT style): one W_qkv projection, split, causal,"
            + " out proj", in -> {
                Workload w = in.workload();
                FusedQkvAttention mha = FusedQkvAttention.fromWeights(in.wQkv(), in.wOut(), in.bOut(), (int) w.heads(), w.tokens());
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

    /** One {@link CausalAttention} per head, each with its rows of W_q, W_k, W_v ({@code [hd, d]}). */
    private static MultiHeadAttentionWrapper bookWrapper(Nd4jInputs in) {
        Workload w = in.workload();
        List<CausalAttention> heads = new ArrayList<>();
        for (long h = 0; h < w.heads(); h++) {
            INDArrayIndex rows = NDArrayIndex.interval(h * w.headDim(), (h + 1) * w.headDim());
            heads.add(CausalAttention.fromWeights(in.wPart(0).get(rows, NDArrayIndex.all()),
                in.wPart(1).get(rows, NDArrayIndex.all()), in.wPart(2).get(rows, NDArrayIndex.all()), w.tokens()));
        }
        return MultiHeadAttentionWrapper.fromHeads(heads);
    }

    /** {@code concat · W_outᵀ + b_out}: the wrapper has no output projection of its own. */
    private static INDArray outProjection(Nd4jInputs in, INDArray concat) {
        Workload w = in.workload();
        long b = w.batch(), t = w.tokens(), d = w.dModel();
        return Nd4j.matmul(concat.reshape(b * t, d), in.wOut(), false, true, false).addiRowVector(in.bOut()).reshape(b, t, d);
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
