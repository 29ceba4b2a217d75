package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fastest multi-head self-attention forward pass the kit makes on ND4J, in the spirit of nanoGPT's
 * {@code CausalSelfAttention}: one fused QKV projection, heads by reshape and permute, and batched matrix
 * products over all {@code batch × heads} sequences at once.
 *
 * <p>What makes it fast, and why:
 * <ul>
 *   <li>One GEMM {@code [batch·tokens, dIn] × [dIn, 3·dOut]} for queries, keys and values together:
 *       one large product runs closer to the machine's peak than three smaller ones.</li>
 *   <li>The weights are kept transposed ({@code [dIn, 3·dOut]}) so the products need no transposed view.</li>
 *   <li>Queries go through in blocks of {@link #QUERY_BLOCK}; with a causal mask a block multiplies only
 *       against the keys up to its last token, so the half of the score matrix that the mask would
 *       zero is never computed, and only one block of scores exists at a time.</li>
 *   <li>Softmax runs in place with ND4J's fused op; the scale {@code 1/sqrt(headDim)} is applied once to Q.</li>
 * </ul>
 * The attention weights are not returned: keeping them would cost {@code batch·heads·tokens²} floats.
 */
public final class FastMultiHeadAttention {
    /** Queries per block: 256 × 1024 keys × 96 sequences of scores is 96 MiB, small next to the inputs' work. */
    public static final int QUERY_BLOCK = 256;

    private final Linear qkv;       // [3·dOut, dIn], rows: all query outputs, then keys, then values
    private final Linear outProj;   // [dOut, dOut]
    private final int numHeads;
    private final INDArray qkvWeightT;   // [dIn, 3·dOut], contiguous
    private final INDArray outWeightT;   // [dOut, dOut], contiguous
    private final int queryBlock;

    private FastMultiHeadAttention(Linear qkv, Linear outProj, int numHeads, int queryBlock) {
        if (numHeads < 1 || outProj.inFeatures() % numHeads != 0) {
            throw new IllegalArgumentException("dOut " + outProj.inFeatures() + " must be divisible by numHeads " + numHeads);
        }
        if (qkv.outFeatures() != 3 * outProj.inFeatures() || outProj.inFeatures() != outProj.outFeatures()) {
            throw new IllegalArgumentException(String.format(
                "expected W_qkv [3·dOut, dIn] and out_proj [dOut, dOut], got %s and %s", qkv, outProj));
        }
        this.qkv = qkv;
        this.outProj = outProj;
        this.numHeads = numHeads;
        this.qkvWeightT = qkv.weight().transpose().dup('c');
        this.outWeightT = outProj.weight().transpose().dup('c');
        if (queryBlock < 1) {
            throw new IllegalArgumentException("queryBlock must be at least 1, got " + queryBlock);
        }
        this.queryBlock = queryBlock;
    }

    /**
     * The same module (same weights, shared) with another number of queries per block: smaller blocks hold
     * fewer scores at a time ({@code batch·heads·queryBlock·tokens} floats) and skip more of the masked
     * half, larger ones make fewer, bigger ND4J calls. The output does not depend on it.
     */
    public FastMultiHeadAttention withQueryBlock(int queryBlock) {
        return new FastMultiHeadAttention(qkv, outProj, numHeads, queryBlock);
    }

    /** Queries per block of the attention step (see {@link #withQueryBlock}). */
    public int queryBlock() {
        return queryBlock;
    }

    /**
     * The layers {@code nn.Linear(dIn, 3·dOut, bias=qkvBias)} and {@code nn.Linear(dOut, dOut)} (out_proj,
     * with bias), in that order, after {@code torch.manual_seed(seed)}.
     */
    public static FastMultiHeadAttention fromSeed(long dIn, long dOut, int numHeads, boolean qkvBias, long seed) {
        TorchRandom random = TorchRandom.manualSeed(seed);
        Linear qkv = Linear.init(dIn, 3 * dOut, qkvBias, random);
        Linear out = Linear.init(dOut, dOut, true, random);
        return new FastMultiHeadAttention(qkv, out, numHeads, QUERY_BLOCK);
    }

    /**
     * A module from explicit weights (copied), PyTorch's layout.
     *
     * @param wQkv     {@code [3·dOut, dIn]}: rows {@code 0..dOut-1} give queries, then keys, then values
     * @param bQkv     {@code [3·dOut]}, or {@code null}
     * @param wOut     out_proj weight {@code [dOut, dOut]}
     * @param bOut     out_proj bias {@code [dOut]}, or {@code null}
     * @param numHeads heads; {@code dOut} must be a multiple of it
     */
    public static FastMultiHeadAttention fromWeights(INDArray wQkv, INDArray bQkv, INDArray wOut, INDArray bOut,
                                                     int numHeads) {
        Shapes.requireMatrix(wQkv, "wQkv", "[3·dOut, dIn]");
        Shapes.requireMatrix(wOut, "wOut", "[dOut, dOut]");
        return new FastMultiHeadAttention(Linear.fromWeights(wQkv, bQkv), Linear.fromWeights(wOut, bOut), numHeads, QUERY_BLOCK);
    }

    /**
     * Causal multi-head self-attention (token i attends to tokens 0..i), as GPT uses it.
     *
     * @param x {@code [batch, tokens, dIn]} or {@code [tokens, dIn]}
     * @return {@code [batch, tokens, dOut]} or {@code [tokens, dOut]}
     */
    public INDArray forward(INDArray x) {
        return forward(x, true);
    }

    /**
     * @param x      {@code [batch, tokens, dIn]} or {@code [tokens, dIn]}
     * @param causal mask the keys after each query
     * @return {@code [batch, tokens, dOut]} or {@code [tokens, dOut]}
     */
    public INDArray forward(INDArray x, boolean causal) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        boolean unbatched = x.rank() == 2;
        long b = unbatched ? 1 : x.size(0), t = x.size(-2);
        long dOut = dOut(), hd = headDim();
        int h = numHeads;
        DataType type = x.dataType();

        INDArray rows = (x.isView() || x.ordering() != 'c' ? x.dup('c') : x).reshape('c', b * t, dIn());
        // Nd4j.matmul (libnd4j's matmul op) rather than INDArray.mmul: several times faster on ND4J 1.0.0-M2.1.
        INDArray fused = Nd4j.matmul(rows, qkvWeightT);                          // [b·t, 3·dOut]
        qkv.bias().ifPresent(fused::addiRowVector);
        // [b·t, 3·dOut] → [b, t, 3, h, hd] → [3, b, h, t, hd]: one view, then one contiguous copy per part.
        INDArray parts = fused.reshape('c', b, t, 3, h, hd).permute(2, 0, 3, 1, 4);
        INDArray q = parts.get(point(0), all(), all(), all(), all()).dup('c');  // [b, h, t, hd]
        INDArray k = parts.get(point(1), all(), all(), all(), all()).dup('c');
        INDArray v = parts.get(point(2), all(), all(), all(), all()).dup('c');
        OnlineSoftmax.free(fused);
        q.muli(1.0 / Math.sqrt(hd));

        INDArray context = Nd4j.create(type, new long[] {b, t, h, hd}, 'c');   // heads side by side = [b, t, dOut]
        INDArray diagonal = causal ? BlockedAttention.causalMask(Math.min(queryBlock, t), Math.min(queryBlock, t), 0, type) : null;
        for (long qs = 0; qs < t; qs += queryBlock) {
            long qe = Math.min(t, qs + queryBlock);
            long keyEnd = causal ? qe : t;
            // Contiguous copies: a batched product over views costs about twice as much on ND4J.
            INDArray qBlock = q.get(all(), all(), interval(qs, qe), all()).dup('c');            // [b, h, bq, hd]
            INDArray kPrefix = keyEnd == t ? k : k.get(all(), all(), interval(0, keyEnd), all()).dup('c');
            INDArray vPrefix = keyEnd == t ? v : v.get(all(), all(), interval(0, keyEnd), all()).dup('c');
            INDArray scores = Nd4j.matmul(qBlock, kPrefix, false, true, false);                 // [b, h, bq, keyEnd]
            if (causal) {
                INDArray mask = qe - qs == diagonal.size(0) ? diagonal : BlockedAttention.causalMask(qe - qs, qe - qs, 0, type);
                INDArray square = scores.get(all(), all(), all(), interval(qs, qe));        // the diagonal square
                Broadcast.add(square, mask, square, 2, 3);
            }
            Nd4j.exec(new SoftMax(scores, scores, 3));
            INDArray heads = Nd4j.matmul(scores, vPrefix);                                      // [b, h, bq, hd]
            context.get(all(), interval(qs, qe), all(), all()).assign(heads.permute(0, 2, 1, 3));
            OnlineSoftmax.free(qBlock, scores, heads);
            if (keyEnd != t) {
                OnlineSoftmax.free(kPrefix, vPrefix);
            }
        }
        OnlineSoftmax.free(q, k, v);

        INDArray y = Nd4j.matmul(context.reshape('c', b * t, dOut), outWeightT);   // [b·t, dOut]
        outProj.bias().ifPresent(y::addiRowVector);
        OnlineSoftmax.free(context);
        return unbatched ? y.reshape('c', t, dOut) : y.reshape('c', b, t, dOut);
    }

    /** The fused projection; its weight is {@code [3·dOut, dIn]} (queries, keys, values stacked). */
    public Linear qkv() {
        return qkv;
    }

    /** The output projection; its weight is {@code [dOut, dOut]}. */
    public Linear outProj() {
        return outProj;
    }

    public int numHeads() {
        return numHeads;
    }

    public long dIn() {
        return qkv.inFeatures();
    }

    public long dOut() {
        return outProj.outFeatures();
    }

    public long headDim() {
        return dOut() / numHeads;
    }

    /** Number of trainable values, as PyTorch's {@code sum(p.numel() for p in parameters())} counts them. */
    public long parameterCount() {
        return qkv.parameterCount() + outProj.parameterCount();
    }

    @Override
    public String toString() {
        return "FastMultiHeadAttention(dIn=" + dIn() + ", dOut=" + dOut() + ", heads=" + numHeads
            + ", qkvBias=" + qkv.bias().isPresent() + ")";
    }
}
