package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import dev.attentionkit.attention.AbstractAttentionModule;
import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.attention.FusedQkvAttention;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fastest multi-head self-attention forward pass the kit makes on ND4J, in the spirit of nanoGPT's
 * {@code CausalSelfAttention} (one fused QKV projection, heads split from its columns) and of
 * FlashAttention's CPU kernels (attention by tiles, softmax fused between the two products).
 *
 * <p>What makes it fast, and why:
 * <ul>
 *   <li>One GEMM {@code [batch·tokens, dIn] × [3·dOut, dIn]ᵀ} for queries, keys and values together:
 *       one large product runs closer to the machine's peak than three smaller ones. BLAS reads the weight
 *       transposed by a flag, so the module keeps no second copy of its weights: {@link #qkv()} and
 *       {@link #outProj()} are the arrays it computes with, and editing them changes its output.</li>
 *   <li>No head is ever copied out: a head's queries, keys and values are column ranges of that product,
 *       and BLAS reads such strided views in place. Each head writes its result straight into its columns
 *       of the context, which is then already the {@code [batch·tokens, dOut]} input of the output GEMM.</li>
 *   <li>Attention runs by tiles of {@link #QUERY_BLOCK} queries of one head: scores for the keys the tile
 *       may see (with a causal mask, none after its last query, so the masked half is not computed),
 *       scaled inside the GEMM ({@code alpha = 1/sqrt(headDim)}), a {@link FusedSoftmax} (mask by position,
 *       one pass per row), then {@code weights · values}. A tile's scores stay in the core's cache.</li>
 *   <li>Tiles run side by side, one per core, each with single-threaded BLAS ({@link ParallelTiles}):
 *       small products do not gain from being split across cores, whole tiles do.</li>
 * </ul>
 * On a GPU backend, or for another data type than float32, the attention step is instead a batched
 * product over all {@code batch × heads} sequences per query block with ND4J's softmax op.
 *
 * <p>{@link #forward} keeps no attention weights: keeping them would cost {@code batch·heads·tokens²} floats.
 * To read them, {@link #attend(INDArray, Mask)} computes the same module the readable way
 * ({@link FusedQkvAttention} on the same, shared layers), with any mask.
 */
public final class FastMultiHeadAttention extends AbstractAttentionModule<FastMultiHeadAttention> {
    /**
     * Queries per tile. A 256 × 1024 tile of scores is 1 MiB, about one core's L2 cache, so it stays close
     * between the two products and the softmax. Smaller tiles compute less of the masked half (a tile that
     * crosses the diagonal computes its whole square), larger ones make bigger products; on the 2-core test
     * machine 128, 256 and 512 were within a few percent of each other at the benchmark's shape.
     */
    public static final int QUERY_BLOCK = 256;

    private final int queryBlock;
    /**
     * The layers it computes with, held once: qkv {@code [3·dOut, dIn]} (rows: all query outputs, then keys, then
     * values) and outProj {@code [dOut, dOut]}, in the readable module that {@link #attend} runs, so the named
     * parameters and the weights come from one place (the sizes are kept by {@link AbstractAttentionModule}).
     */
    private final FusedQkvAttention readable;
    /** Scratch kept between calls (see {@link Scratch}); taken by a call, handed back at its end. */
    private final AtomicReference<Scratch> spare = new AtomicReference<>();

    private FastMultiHeadAttention(Linear qkv, Linear outProj, int numHeads, int queryBlock) {
        // A forward-only module: no dropout (only the train/eval mode), any length, causal.
        super(null, new Sizes(qkv.inFeatures(), outProj.outFeatures(), numHeads, NO_CONTEXT_LIMIT, true));
        requireHeads(outProj.inFeatures(), numHeads);
        if (qkv.outFeatures() != 3 * outProj.inFeatures() || outProj.inFeatures() != outProj.outFeatures()) {
            throw new IllegalArgumentException(String.format(
                "expected W_qkv [3·dOut, dIn] and out_proj [dOut, dOut], got %s and %s", qkv, outProj));
        }
        if (queryBlock < 1) {
            throw new IllegalArgumentException("queryBlock must be at least 1, got " + queryBlock);
        }
        this.queryBlock = queryBlock;
        this.readable = FusedQkvAttention.fromLayers(qkv, outProj, numHeads, NO_CONTEXT_LIMIT, null);
    }

    private static void requireHeads(long dOut, int numHeads) {
        if (numHeads < 1 || dOut % numHeads != 0) {
            throw new IllegalArgumentException("dOut " + dOut + " must be divisible by numHeads " + numHeads);
        }
    }

    /**
     * The same module (same weights, shared) with another number of queries per tile: smaller tiles hold
     * fewer scores at a time ({@code queryBlock·tokens} floats per core) and skip more of the masked half,
     * larger ones make fewer, bigger products. The output does not depend on it.
     */
    public FastMultiHeadAttention withQueryBlock(int queryBlock) {
        return new FastMultiHeadAttention(qkv(), outProj(), numHeads(), queryBlock);
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
        requireHeads(dOut, numHeads);
        // The readable module draws them (one seeded initialiser for both); no dropout, no context limit.
        FusedQkvAttention drawn = FusedQkvAttention.fromSeed(dIn, dOut, NO_CONTEXT_LIMIT, 0, numHeads, qkvBias, seed);
        return new FastMultiHeadAttention(drawn.qkv(), drawn.outProj(), numHeads, QUERY_BLOCK);
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
     * Causal multi-head self-attention (token i attends to tokens 0..i), as GPT uses it: the fast path.
     *
     * @param x {@code [batch, tokens, dIn]} or {@code [tokens, dIn]}
     * @return {@code [batch, tokens, dOut]} or {@code [tokens, dOut]}
     */
    @Override
    public INDArray forward(INDArray x) {
        return forward(x, true);
    }

    /**
     * Causal self-attention with the weights, computed the readable way (not the fast path): the same layers in
     * a {@link FusedQkvAttention}, so an extra mask of any form can be combined with the causal one. The context
     * equals {@link #forward}'s to float32 rounding.
     *
     * @param x    {@code [batch, tokens, dIn]} or {@code [tokens, dIn]}
     * @param mask {@code [(batch,) tokens, tokens]} combined with the causal mask by {@code and}, or null
     * @return context {@code [(batch,) tokens, dOut]}, weights {@code [(batch,) numHeads, tokens, tokens]}
     */
    @Override
    public AttentionOutput attend(INDArray x, Mask mask) {
        Shapes.requireSequence(x, "x", dIn(), "[batch, tokens, dIn]");
        return readable.attend(x, mask);
    }

    /** {@code qkv.weight} ({@code qkv.bias}), {@code out_proj.weight}, {@code out_proj.bias}: the arrays it computes with. */
    @Override
    public Map<String, INDArray> parameters() {
        return readable.parameters();
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
        long dOut = dOut();
        Linear qkv = qkv(), outProj = outProj();
        Shapes.requireSameType(x, "x", qkv.weight());
        DataType type = x.dataType();

        INDArray rows = (x.isView() || x.ordering() != 'c' ? x.dup('c') : x).reshape('c', b * t, dIn());
        Scratch scratch = Scratch.take(spare, type, b * t, dOut);
        INDArray fused = scratch.fused;                                   // [b·t, 3·dOut], rows: q | k | v
        Gemm.timesTransposed(rows, qkv.weight(), fused, 1.0);                     // [b·t, 3·dOut]
        qkv.bias().ifPresent(fused::addiRowVector);
        boolean byTiles = Nd4j.getEnvironment().isCPU() && type == DataType.FLOAT;
        INDArray context = byTiles ? attendByTiles(fused, scratch.context, b, t, causal)
            : attendBatched(fused, b, t, causal);

        INDArray y = Nd4j.createUninitialized(type, new long[] {b * t, dOut}, 'c');
        Gemm.timesTransposed(context.reshape('c', b * t, dOut), outProj.weight(), y, 1.0);
        outProj.bias().ifPresent(y::addiRowVector);
        if (!byTiles) {
            OnlineSoftmax.free(context);
        }
        scratch.giveBack(spare);
        return unbatched ? y.reshape('c', t, dOut) : y.reshape('c', b, t, dOut);
    }

    /**
     * The attention step on the CPU: every (sequence, head, query block) is one tile, run side by side on all
     * cores ({@link ParallelTiles}). A tile multiplies its queries with the keys it may see straight out of the
     * fused projection (strided views: BLAS reads them in place, no copies), takes a {@link FusedSoftmax}, and
     * writes {@code weights · values} straight into its head's columns of the context.
     *
     * @param fused       {@code [b·t, 3·dOut]}
     * @param contextRows {@code [b·t, dOut]}, overwritten: every element belongs to exactly one tile
     * @return the context as {@code [b, t, dOut]}, heads side by side
     */
    private INDArray attendByTiles(INDArray fused, INDArray contextRows, long b, long t, boolean causal) {
        long dOut = dOut(), hd = headDim();
        int h = numHeads();
        double scale = 1.0 / Math.sqrt(hd);
        INDArray seq = fused.reshape('c', b, t, 3 * dOut);
        INDArray context = contextRows.reshape('c', b, t, dOut);
        int blocks = Math.toIntExact((t + queryBlock - 1) / queryBlock);
        int perBlock = Math.toIntExact(b * h);
        // Tiles in order of falling cost: the last query blocks see the most keys.
        ParallelTiles.run(blocks * perBlock, fused.dataType(), queryBlock * t, (tile, scratch) -> {
            long block = blocks - 1 - tile / perBlock, sh = tile % perBlock, s = sh / h, head = sh % h;
            long qs = block * queryBlock, qe = Math.min(t, qs + queryBlock), keyEnd = causal ? qe : t;
            INDArray q = seq.get(point(s), interval(qs, qe), interval(head * hd, (head + 1) * hd));
            INDArray k = seq.get(point(s), interval(0, keyEnd), interval(dOut + head * hd, dOut + (head + 1) * hd));
            INDArray v = seq.get(point(s), interval(0, keyEnd), interval(2 * dOut + head * hd, 2 * dOut + (head + 1) * hd));
            INDArray scores = ParallelTiles.matrix(scratch, qe - qs, keyEnd);
            Gemm.timesTransposed(q, k, scores, scale);                                  // [bq, keys], scaled
            FusedSoftmax.softmaxInPlace(scores, qs, 0, causal);
            INDArray out = context.get(point(s), interval(qs, qe), interval(head * hd, (head + 1) * hd));
            Gemm.product(scores, v, out, 1.0, 0.0);                                     // [bq, hd] into the context
        });
        return context;
    }

    /**
     * The attention step for other backends (a GPU) and types: batched products over all
     * {@code batch × heads} sequences, one query block at a time, where a tile per core would mean many tiny
     * kernel launches.
     */
    private INDArray attendBatched(INDArray fused, long b, long t, boolean causal) {
        long hd = headDim();
        int h = numHeads();
        DataType type = fused.dataType();
        // [b·t, 3·dOut] → [b, t, 3, h, hd] → [3, b, h, t, hd]: one view, then one contiguous copy per part.
        INDArray parts = fused.reshape('c', b, t, 3, h, hd).permute(2, 0, 3, 1, 4);
        INDArray q = parts.get(point(0), all(), all(), all(), all()).dup('c');  // [b, h, t, hd]
        INDArray k = parts.get(point(1), all(), all(), all(), all()).dup('c');
        INDArray v = parts.get(point(2), all(), all(), all(), all()).dup('c');
        q.muli(1.0 / Math.sqrt(hd));

        INDArray context = Nd4j.create(type, new long[] {b, t, h, hd}, 'c');   // heads side by side = [b, t, dOut]
        for (long qs = 0; qs < t; qs += queryBlock) {
            long qe = Math.min(t, qs + queryBlock);
            long keyEnd = causal ? qe : t;
            INDArray qBlock = q.get(all(), all(), interval(qs, qe), all()).dup('c');            // [b, h, bq, hd]
            INDArray kPrefix = keyEnd == t ? k : k.get(all(), all(), interval(0, keyEnd), all()).dup('c');
            INDArray vPrefix = keyEnd == t ? v : v.get(all(), all(), interval(0, keyEnd), all()).dup('c');
            INDArray scores = Nd4j.matmul(qBlock, kPrefix, false, true, false);                 // [b, h, bq, keyEnd]
            if (causal) {
                INDArray mask = CausalMask.of(qe - qs).additive(type, Double.NEGATIVE_INFINITY);
                INDArray square = scores.get(all(), all(), all(), interval(qs, qe));        // the diagonal square
                Broadcast.add(square, mask, square, 2, 3);
                OnlineSoftmax.free(mask);
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
        return context.reshape('c', b, t, dOut());
    }

    /**
     * The two intermediate arrays of a call, the fused projection {@code [b·t, 3·dOut]} and the context
     * {@code [b·t, dOut]}, kept for the next call with the same shape. A fresh array of that size costs its
     * first touch of every memory page (a sizeable part of the whole call at the headline's size: figure in
     * bench/README.md, "Measurements the code's comments rely on"); reusing it costs nothing. Concurrent calls each take their own.
     */
    private static final class Scratch {
        final INDArray fused;
        final INDArray context;

        private Scratch(DataType type, long rows, long dOut) {
            fused = Nd4j.createUninitialized(type, new long[] {rows, 3 * dOut}, 'c');
            context = Nd4j.createUninitialized(type, new long[] {rows, dOut}, 'c');
        }

        static Scratch take(AtomicReference<Scratch> spare, DataType type, long rows, long dOut) {
            Scratch s = spare.getAndSet(null);
            if (s != null && s.fused.dataType() == type && s.fused.size(0) == rows && s.fused.size(1) == 3 * dOut) {
                return s;
            }
            if (s != null) {
                OnlineSoftmax.free(s.fused, s.context);
            }
            return new Scratch(type, rows, dOut);
        }

        void giveBack(AtomicReference<Scratch> spare) {
            Scratch previous = spare.getAndSet(this);
            if (previous != null) {
                OnlineSoftmax.free(previous.fused, previous.context);
            }
        }
    }

    /** The fused projection; its weight is {@code [3·dOut, dIn]} (queries, keys, values stacked); the live layer. */
    public Linear qkv() {
        return readable.qkv();
    }

    /** The output projection; its weight is {@code [dOut, dOut]}; the live layer. */
    public Linear outProj() {
        return readable.outProj();
    }

    @Override
    public String toString() {
        return "FastMultiHeadAttention(dIn=" + dIn() + ", dOut=" + dOut() + ", heads=" + numHeads()
            + ", qkvBias=" + qkv().bias().isPresent() + ")";
    }
}
