package dev.attentionkit.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Multi-head attention written the plain way, as a learner would first write it on ND4J (the book's
 * {@code MultiHeadAttention} with weight splits): three separate projections, heads by reshape and
 * permute, the full {@code [batch, heads, tokens, tokens]} score matrix, a precomputed {@code -inf} causal
 * mask added, softmax in the textbook steps, then {@code · V} and the output projection.
 */
final class PlainMultiHeadAttention {
    private final INDArray wQuery, wKey, wValue, wOut, bOut;   // [d, d] each, PyTorch layout; bOut [d]
    private final int heads;
    private final INDArray mask;                              // [tokens, tokens]: 0 on/below the diagonal, -inf above

    PlainMultiHeadAttention(Nd4jInputs in) {
        this.wQuery = in.wPart(0);
        this.wKey = in.wPart(1);
        this.wValue = in.wPart(2);
        this.wOut = in.wOut();
        this.bOut = in.bOut();
        this.heads = in.workload().heads();
        int t = in.workload().tokens();
        // Like the book's register_buffer("mask", triu(ones, 1)): built once with the module, not per call.
        this.mask = in.workload().causal() ? causalMask(t) : null;
    }

    /** {@code [t, t]}: 0 on and below the diagonal, {@code -inf} above; row by row, so no {@code t²} Java array. */
    static INDArray causalMask(int t) {
        INDArray mask = Nd4j.zeros(DataType.FLOAT, t, t);
        for (int i = 0; i + 1 < t; i++) {
            mask.getRow(i).get(NDArrayIndex.interval(i + 1, t)).assign(Float.NEGATIVE_INFINITY);
        }
        return mask;
    }

    /** @param x {@code [batch, tokens, d]} @return {@code [batch, tokens, d]} */
    INDArray forward(INDArray x) {
        long b = x.size(0), t = x.size(1), d = x.size(2), hd = d / heads;
        INDArray rows = x.reshape(b * t, d);
        // Nd4j.matmul(x, W, transB) is x · Wᵀ; the kit uses it everywhere because INDArray.mmul is much slower.
        INDArray q = split(Nd4j.matmul(rows, wQuery, false, true, false), b, t, hd);   // [b, h, t, hd]
        INDArray k = split(Nd4j.matmul(rows, wKey, false, true, false), b, t, hd);
        INDArray v = split(Nd4j.matmul(rows, wValue, false, true, false), b, t, hd);
        INDArray scores = Nd4j.matmul(q, k, false, true, false).divi(Math.sqrt(hd));   // [b, h, t, t]
        if (mask != null) {
            Broadcast.add(scores, mask, scores, 2, 3);                          // same mask for every (b, h)
        }
        INDArray e = Transforms.exp(scores.subi(scores.max(true, 3)), false);
        INDArray weights = e.divi(e.sum(true, 3));
        INDArray context = Nd4j.matmul(weights, v).permute(0, 2, 1, 3).dup('c').reshape(b * t, d);  // [b·t, d]
        return Nd4j.matmul(context, wOut, false, true, false).addiRowVector(bOut).reshape(b, t, d);
    }

    private INDArray split(INDArray projected, long b, long t, long hd) {
        return projected.reshape(b, t, heads, hd).permute(0, 2, 1, 3).dup('c');
    }
}
