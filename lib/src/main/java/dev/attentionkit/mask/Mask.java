package dev.attentionkit.mask;

import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.tensor.Softmax;
import java.util.Arrays;
import java.util.Collections;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Which keys each query may attend to: {@code true} = attend (keep), {@code false} = masked.
 *
 * <p>A mask is {@code [queries, keys]} (the same for every sequence in a batch, e.g. causal) or
 * {@code [batch, queries, keys]} (one per sequence, e.g. padding). It broadcasts over a heads axis, so one
 * mask serves scores {@code [queries, keys]}, {@code [batch, queries, keys]} and
 * {@code [batch, heads, queries, keys]}. Masks compose with {@link #and} and {@link #or}:
 * {@code CausalMask.of(6).and(PaddingMask.validLengths(6, 6, 4, 6))}.
 *
 * <p>The book stores the opposite convention ({@code torch.triu(ones, diagonal=1)}, 1 = hide);
 * {@link #blocked()} gives that form, {@link #keep()} the Annotated Transformer's ({@code mask == 0} hides).
 *
 * <p>A query row whose every key is masked gets all-zero weights (and hence a zero context vector) from
 * {@link #softmax}, never NaN: there is nothing to attend to, so nothing is added up.
 */
public final class Mask {
    private final INDArray keep; // BOOL [queries, keys] or [batch, queries, keys]
    private final MaskPattern pattern; // the structure behind keep, or null when it has none the code can use

    private Mask(INDArray keep) {
        this(keep, null);
    }

    private Mask(INDArray keep, MaskPattern pattern) {
        this.keep = keep;
        this.pattern = pattern;
    }

    /**
     * A square {@code [tokens, tokens]} mask built from its pattern, which it carries (so efficient attention can
     * apply it by position). Used by {@link CausalMask} and {@link LocalMask}.
     */
    static Mask ofPattern(long tokens, MaskPattern pattern) {
        CausalMask.requirePositive(tokens, tokens);
        boolean[][] keep = new boolean[(int) tokens][(int) tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                keep[i][j] = pattern.keeps(i, j);
            }
        }
        return new Mask(Nd4j.createFromArray(keep), pattern);
    }

    /**
     * The structure of this mask when it has one that efficient attention can apply by position (causal, a window,
     * a causal window); empty for masks given as arrays (padding, hand-made ones) and for {@code or} / {@code not}.
     */
    public java.util.Optional<MaskPattern> pattern() {
        return java.util.Optional.ofNullable(pattern);
    }

    /**
     * A mask from an array: {@code BOOL}, or numbers where non-zero means attend (copied).
     *
     * @param keep {@code [queries, keys]} or {@code [batch, queries, keys]}
     */
    public static Mask of(INDArray keep) {
        if (keep == null) {
            throw new IllegalArgumentException("mask is null");
        }
        if (keep.rank() != 2 && keep.rank() != 3) {
            throw new IllegalArgumentException(String.format(
                "mask: expected [queries, keys] or [batch, queries, keys], got shape %s", Shapes.describe(keep)));
        }
        INDArray bool = keep.dataType() == DataType.BOOL ? keep.dup('c') : keep.neq(0.0).castTo(DataType.BOOL);
        return new Mask(bool);
    }

    /** A mask from nested booleans, {@code keep[query][key]}. */
    public static Mask of(boolean[][] keep) {
        return new Mask(Nd4j.createFromArray(keep));
    }

    /** A {@code [queries, keys]} mask that hides nothing. */
    public static Mask none(long queries, long keys) {
        return new Mask(Nd4j.ones(DataType.FLOAT, queries, keys).castTo(DataType.BOOL));
    }

    /** Attend only where both masks attend (e.g. causal and not padding). */
    public Mask and(Mask other) {
        INDArray[] pair = aligned(other, "and");
        MaskPattern both = pattern != null && other.pattern != null ? pattern.and(other.pattern) : null;
        return new Mask(Transforms.and(pair[0], pair[1]), both);
    }

    /** Attend where either mask attends. */
    public Mask or(Mask other) {
        INDArray[] pair = aligned(other, "or");
        return new Mask(Transforms.or(pair[0], pair[1]));
    }

    /** The complement: attend exactly where this mask hides. */
    public Mask not() {
        return new Mask(Transforms.not(keep));
    }

    /** {@code BOOL [(batch,) queries, keys]}, {@code true} = attend (a copy). */
    public INDArray keep() {
        return keep.dup();
    }

    /** {@code BOOL [(batch,) queries, keys]}, {@code true} = hidden: the book's convention (a copy). */
    public INDArray blocked() {
        return Transforms.not(keep);
    }

    /** {@code FLOAT [(batch,) queries, keys]}: 1 = attend, 0 = masked. */
    public INDArray asFloat() {
        return keep.castTo(DataType.FLOAT);
    }

    public long queries() {
        return keep.size(-2);
    }

    public long keys() {
        return keep.size(-1);
    }

    /** Whether this mask has one slice per batch element ({@code [batch, queries, keys]}). */
    public boolean isBatched() {
        return keep.rank() == 3;
    }

    /** The shape of the underlying array, {@code [(batch,) queries, keys]}. */
    public long[] shape() {
        return keep.shape();
    }

    /**
     * {@code scores.masked_fill(~mask, value)}: the scores with every masked position replaced by
     * {@code value} ({@code -∞} as the book does, {@code -1e9} as the Annotated Transformer does).
     *
     * @param scores {@code [queries, keys]}, {@code [batch, queries, keys]} or {@code [batch, heads, queries, keys]}
     * @return a new array of the same shape
     */
    public INDArray fill(INDArray scores, double value) {
        requireFits(scores);
        if (Double.isInfinite(value)) {
            // 0 · ∞ is NaN, so an infinite fill is added instead: score + 0 = score, score + (-∞) = -∞.
            return scores.add(additive(scores.dataType(), value).reshape(broadcastableTo(scores).shape()));
        }
        INDArray keepF = broadcastableTo(scores).castTo(scores.dataType());
        return scores.mul(keepF).add(keepF.rsub(1.0).muli(value)); // score·1 + 0 = score exactly
    }

    /**
     * The additive form of this mask, the one conversion the kit uses wherever a mask is added to scores (training
     * graphs, fast kernels): 0 where a key is kept, {@code blockedValue} where it is hidden ({@code -∞}, or
     * {@code -1e9} where a finite value is needed, as in SameDiff graphs whose gradients must stay finite).
     *
     * @param type the scores' data type
     * @return {@code [(batch,) queries, keys]} of {@code type}
     */
    public INDArray additive(DataType type, double blockedValue) {
        if (!(blockedValue < 0)) {
            throw new IllegalArgumentException("a blocked score must be negative (-inf or e.g. -1e9), got " + blockedValue);
        }
        INDArray additive = keep.castTo(type).rsubi(1.0);                   // 1 = hidden, 0 = kept
        if (Double.isInfinite(blockedValue)) {
            BooleanIndexing.replaceWhere(additive, blockedValue, Conditions.greaterThan(0.5));
            return additive;
        }
        return additive.muli(blockedValue);
    }

    /**
     * Masked softmax over the last axis with the book's {@code -∞} convention; see {@link #softmax(INDArray, MaskFill)}.
     *
     * @param scores {@code [queries, keys]}, {@code [batch, queries, keys]} or {@code [batch, heads, queries, keys]}
     */
    public INDArray softmax(INDArray scores) {
        return softmax(scores, MaskFill.NEGATIVE_INFINITY);
    }

    /**
     * Masked softmax (d2l's {@code masked_softmax}): fill masked scores with {@code fill}, softmax over the
     * last axis, and give masked positions exactly 0. A row with every key masked becomes all zeros.
     *
     * @param scores {@code [queries, keys]}, {@code [batch, queries, keys]} or {@code [batch, heads, queries, keys]}
     * @return weights of the same shape; each row sums to 1, or to 0 if all its keys are masked
     */
    public INDArray softmax(INDArray scores, MaskFill fill) {
        return Softmax.masked(scores, broadcastableTo(scores), fill.value());
    }

    /**
     * This mask reshaped so that it broadcasts against {@code scores}: {@code [q, k]} becomes
     * {@code [1, .., q, k]}, {@code [b, q, k]} against {@code [b, h, q, k]} becomes {@code [b, 1, q, k]}.
     *
     * @throws IllegalArgumentException naming both shapes if the mask does not fit the scores
     */
    public INDArray broadcastableTo(INDArray scores) {
        requireFits(scores);
        int rank = scores.rank();
        long q = queries();
        long k = keys();
        if (!isBatched()) {
            long[] shape = new long[rank];
            Arrays.fill(shape, 1);
            shape[rank - 2] = q;
            shape[rank - 1] = k;
            return keep.reshape(shape);
        }
        return rank == 3 ? keep : keep.reshape(keep.size(0), 1, q, k);
    }

    /**
     * Checks that this mask fits scores {@code [queries, keys]}, {@code [batch, queries, keys]} or
     * {@code [batch, heads, queries, keys]}.
     */
    public void requireFits(INDArray scores) {
        if (scores == null) {
            throw new IllegalArgumentException("scores is null");
        }
        int rank = scores.rank();
        boolean fits = rank >= 2 && rank <= 4
            && scores.size(rank - 2) == queries() && scores.size(rank - 1) == keys()
            && (!isBatched() || (rank >= 3 && scores.size(0) == keep.size(0)));
        if (!fits) {
            String expected = isBatched()
                ? String.format("[batch=%d, (heads,) queries=%d, keys=%d]", keep.size(0), queries(), keys())
                : String.format("[(batch, heads,) queries=%d, keys=%d]", queries(), keys());
            throw new IllegalArgumentException(String.format(
                "mask %s does not fit scores %s: expected scores %s",
                Shapes.describe(keep), Shapes.describe(scores), expected));
        }
    }

    private INDArray[] aligned(Mask other, String op) {
        if (other == null) {
            throw new IllegalArgumentException(op + ": other mask is null");
        }
        boolean sameQk = queries() == other.queries() && keys() == other.keys();
        boolean sameBatch = !isBatched() || !other.isBatched() || keep.size(0) == other.keep.size(0);
        if (!sameQk || !sameBatch) {
            throw new IllegalArgumentException(String.format(
                "%s: masks %s and %s differ in shape; both need the same [queries, keys] (and batch, if batched)",
                op, Shapes.describe(keep), Shapes.describe(other.keep)));
        }
        if (isBatched() == other.isBatched()) {
            return new INDArray[] {keep, other.keep};
        }
        long batch = isBatched() ? keep.size(0) : other.keep.size(0);
        return new INDArray[] {batched(keep, batch), batched(other.keep, batch)};
    }

    private static INDArray batched(INDArray keep, long batch) {
        if (keep.rank() == 3) {
            return keep;
        }
        // Copy the [q, k] slice into every batch position.
        return Nd4j.stack(0, Collections.nCopies((int) batch, keep).toArray(INDArray[]::new));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && Arrays.equals(shape(), m.shape()) && keep.equals(m.keep);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape());
    }

    /** The shape, then (for small masks) the grid with 1 = attend and . = masked, one query per line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Mask").append(Shapes.describe(keep));
        if (keep.length() > 400) {
            return sb.toString();
        }
        boolean[] flat = keepFlat();
        long q = queries();
        long k = keys();
        long slices = keep.length() / (q * k);
        for (long s = 0; s < slices; s++) {
            for (long i = 0; i < q; i++) {
                sb.append('\n');
                for (long j = 0; j < k; j++) {
                    sb.append(flat[(int) ((s * q + i) * k + j)] ? '1' : '.');
                }
            }
            if (s + 1 < slices) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private boolean[] keepFlat() {
        double[] values = keep.castTo(DataType.DOUBLE).reshape(keep.length()).toDoubleVector();
        boolean[] out = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] != 0;
        }
        return out;
    }
}
