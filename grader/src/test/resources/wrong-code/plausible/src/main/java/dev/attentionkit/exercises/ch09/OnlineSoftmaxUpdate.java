package dev.attentionkit.exercises.ch09;

import dev.attentionkit.efficient.OnlineSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

// WRONG ON PURPOSE (grader fixture): 9.2 forgets to rescale the old sum l
/**
 * Exercise 9.2 — one step of the online softmax (FlashAttention's trick), written yourself.
 *
 * <p>Keys arrive in blocks. For every query row the state keeps the largest score so far {@code m}, the
 * sum so far {@code l = Σ exp(s - m)} and the accumulator {@code acc = Σ exp(s - m) · v}. For a new block
 * with scores {@code S [queries, blockKeys]} and values {@code V [blockKeys, dV]}:
 *
 * <pre>
 * m'   = max(m, max of the block's row)                 the new running maximum
 * p    = exp(S - m')                                    the block's unnormalised weights
 * c    = exp(m - m')                                    rescales what was accumulated relative to m
 * l'   = c · l + Σ_j p[:, j]
 * acc' = c · acc + p · V
 * </pre>
 *
 * After the last block, {@code acc / l} equals {@code softmax(all scores) · V}. A masked score is
 * {@code -inf}; while a row has seen only masked keys, {@code m} stays {@code -inf}, and then
 * {@code exp(-inf - -inf)} would be NaN: shift such a row by 0 instead of by {@code m'}.
 * Write it with ND4J operations; don't call {@code OnlineSoftmax.update}, which is the library's version.
 */
public final class OnlineSoftmaxUpdate {
    private OnlineSoftmaxUpdate() {}

    /**
     * @param state       the running {@code m [q, 1]}, {@code l [q, 1]}, {@code acc [q, dV]}
     * @param scoresBlock {@code [q, blockKeys]}, already scaled; {@code -inf} where masked
     * @param valuesBlock {@code [blockKeys, dV]}
     * @return the state after this block (the arguments must be left unchanged)
     */
    public static OnlineSoftmax.State update(OnlineSoftmax.State state, INDArray scoresBlock, INDArray valuesBlock) {
        INDArray newMax = Transforms.max(state.m(), scoresBlock.max(true, 1));    // [q, 1]
        INDArray shift = newMax.dup();
        BooleanIndexing.replaceWhere(shift, 0.0, Conditions.isInfinite());      // rows with no key yet
        INDArray p = Transforms.exp(scoresBlock.subColumnVector(shift), false);   // [q, k]
        INDArray rescale = Transforms.exp(state.m().sub(shift), false);           // [q, 1]; 0 while m = -inf
        INDArray l = state.l().add(p.sum(true, 1));
        INDArray acc = state.acc().mulColumnVector(rescale).addi(p.mmul(valuesBlock));
        return new OnlineSoftmax.State(newMax, l, acc);
    }
}
