package dev.attentionkit.efficient;

import dev.attentionkit.tensor.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The "online softmax" at the heart of FlashAttention: {@code softmax(S) · V} computed one block of keys
 * at a time, without ever holding a whole row of scores.
 *
 * <p>For each query row it keeps three running values: the largest score seen so far {@code m}, the sum
 * of {@code exp(score - m)} so far {@code l}, and the weighted sum of values so far {@code acc} (also
 * relative to {@code m}). When a new block raises the maximum from {@code m} to {@code m'}, everything
 * accumulated so far was scaled by {@code exp(-m)} and must now be scaled by {@code exp(-m')}: multiplying
 * {@code l} and {@code acc} by {@code exp(m - m')} does exactly that. After the last block,
 * {@code acc / l} is the attention output, equal to the full softmax up to float rounding.
 *
 * <p>This class writes the update as ND4J operations, one step at a time, to read and to check against;
 * {@link BlockedAttention} and {@link BlockSparseAttention} run the same update fused into one pass per row
 * ({@link FusedSoftmax#onlineStepInPlace}). One sequence at a time.
 */
public final class OnlineSoftmax {
    private OnlineSoftmax() {}

    /**
     * The running values after some key blocks.
     *
     * @param m   running maximum of the scores, {@code [queries, 1]} ({@code -inf} before any block)
     * @param l   running sum of {@code exp(score - m)}, {@code [queries, 1]}
     * @param acc running sum of {@code exp(score - m) · value}, {@code [queries, dV]}
     */
    public record State(INDArray m, INDArray l, INDArray acc) {

        /** The state before any block: {@code m = -inf}, {@code l = 0}, {@code acc = 0}. */
        public static State start(long queries, long dV) {
            return start(DataType.FLOAT, queries, dV);
        }

        /** Like {@link #start(long, long)} in the given floating-point type. */
        public static State start(DataType type, long queries, long dV) {
            INDArray m = Nd4j.valueArrayOf(new long[] {queries, 1}, Double.NEGATIVE_INFINITY, type);
            INDArray l = Nd4j.zeros(type, queries, 1);
            INDArray acc = Nd4j.zeros(type, queries, dV);
            return new State(m, l, acc);
        }

        /**
         * The attention output so far, {@code acc / l}: {@code [queries, dV]}. A row that has seen no
         * allowed key yet ({@code l = 0}) has no defined output and gives NaN.
         */
        public INDArray output() {
            return acc.divColumnVector(l);
        }

        @Override
        public String toString() {
            return "OnlineSoftmax.State(m " + Shapes.describe(m) + ", l " + Shapes.describe(l)
                + ", acc " + Shapes.describe(acc) + ")";
        }
    }

    /**
     * Folds one block of keys into the running state; the arguments are left unchanged.
     *
     * @param state        the state after the previous blocks (see {@link State#start})
     * @param scoresBlock  scaled scores of this block, {@code [queries, blockKeys]}; a masked position is
     *                     {@code -inf}, a NaN is rejected
     * @param valuesBlock  the values of the same keys, {@code [blockKeys, dV]}
     * @return the new state, same shapes as {@code state}
     */
    public static State update(State state, INDArray scoresBlock, INDArray valuesBlock) {
        requireShapes(state, scoresBlock, valuesBlock);
        State copy = new State(state.m().dup(), state.l().dup(), state.acc().dup());
        return updateInPlace(copy, scoresBlock.dup(), valuesBlock);
    }

    /**
     * {@link #update} without checks or copies: overwrites {@code scores} with the block's unnormalised
     * weights and {@code state.acc()} with the new accumulator, releases the old {@code m} and {@code l}, and
     * returns the new state.
     *
     * <p>The per-row bookkeeping ({@code m}, {@code l} and the rescale factors, {@code queries} numbers each)
     * is done in plain Java: on ND4J every call, however small, has a fixed cost, and only the
     * {@code [queries, keys]} work is worth a native call.
     */
    static State updateInPlace(State state, INDArray scores, INDArray values) {
        DataType type = scores.dataType();
        long[] column = {scores.size(0), 1};
        double[] m = state.m().toDoubleVector();
        double[] blockMax = reduce(scores.max(true, 1));
        double[] newMax = new double[m.length];
        double[] shift = new double[m.length];
        double[] rescale = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            newMax[i] = Math.max(m[i], blockMax[i]);
            // A row whose keys are all masked so far keeps m = -inf; shifting it by 0 avoids -inf - -inf = NaN.
            shift[i] = Double.isInfinite(newMax[i]) ? 0 : newMax[i];
            rescale[i] = Math.exp(m[i] - shift[i]);                          // exp(m - m'): 0 while m = -inf
        }
        INDArray shiftColumn = Nd4j.create(shift, column, type);
        Transforms.exp(scores.subiColumnVector(shiftColumn), false);         // p = exp(s - m'), [q, k]
        double[] blockSum = reduce(scores.sum(true, 1));
        double[] l = state.l().toDoubleVector();
        for (int i = 0; i < l.length; i++) {
            l[i] = l[i] * rescale[i] + blockSum[i];
        }
        INDArray rescaleColumn = Nd4j.create(rescale, column, type);
        INDArray blockAcc = Nd4j.matmul(scores, values);                    // [q, dV]
        INDArray acc = state.acc().muliColumnVector(rescaleColumn).addi(blockAcc);
        free(state.m(), state.l(), shiftColumn, rescaleColumn, blockAcc);
        return new State(Nd4j.create(newMax, column, type), Nd4j.create(l, column, type), acc);
    }

    private static double[] reduce(INDArray column) {
        double[] values = column.toDoubleVector();
        free(column);
        return values;
    }

    /** Releases temporaries now rather than at the next garbage collection, so peak memory stays a block's. */
    static void free(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }

    private static void requireShapes(State state, INDArray scores, INDArray values) {
        if (state == null) {
            throw new IllegalArgumentException("state is null; start with OnlineSoftmax.State.start(queries, dV)");
        }
        Shapes.requireRank(scores, "scoresBlock", "[queries, blockKeys]", 2);
        Shapes.requireRank(values, "valuesBlock", "[blockKeys, dV]", 2);
        long q = scores.size(0), k = scores.size(1), dV = values.size(1);
        String shapes = String.format("state %s, scoresBlock %s, valuesBlock %s",
            state, Shapes.describe(scores), Shapes.describe(values));
        if (!Arrays.equals(state.m().shape(), new long[] {q, 1})
            || !Arrays.equals(state.l().shape(), new long[] {q, 1})
            || !Arrays.equals(state.acc().shape(), new long[] {q, dV})
            || !Arrays.equals(values.shape(), new long[] {k, dV})) {
            throw new IllegalArgumentException(shapes + ": expected m, l [queries, 1], acc [queries, dV],"
                + " scoresBlock [queries, blockKeys], valuesBlock [blockKeys, dV]");
        }
        if (scores.isNaN().any()) {
            throw new IllegalArgumentException("scoresBlock " + Shapes.describe(scores) + " contains NaN");
        }
        Shapes.requireFinite(values, "valuesBlock");
    }
}
