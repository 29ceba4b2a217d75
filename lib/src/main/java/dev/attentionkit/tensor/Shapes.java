package dev.attentionkit.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Shape and value checks shared by every module, so a learner's mistake is reported once, clearly,
 * with the expected and the actual shape, instead of surfacing later as a cryptic ND4J error.
 */
public final class Shapes {
    private Shapes() {}

    /** {@code [6, 3]} style text for a shape, as the error messages and notebooks print it. */
    public static String describe(INDArray x) {
        return x == null ? "null" : Arrays.toString(x.shape());
    }

    /**
     * Requires {@code x} to be {@code [tokens, features]} or {@code [batch, tokens, features]}.
     *
     * @param name     what the argument is called in the caller's documentation, e.g. "inputs"
     * @param features the required last dimension, or -1 for any
     * @param layout   the documented layout, e.g. "[batch, tokens, dIn]"
     */
    public static void requireSequence(INDArray x, String name, long features, String layout) {
        requireNonNull(x, name);
        int rank = x.rank();
        if (rank != 2 && rank != 3) {
            throw new IllegalArgumentException(String.format(
                "%s: expected rank 2 or 3, %s (or without the batch axis), got shape %s (rank %d)",
                name, layout, describe(x), rank));
        }
        long last = x.size(rank - 1);
        if (features >= 0 && last != features) {
            throw new IllegalArgumentException(String.format(
                "%s: expected %s with last dimension %d, got shape %s", name, layout, features, describe(x)));
        }
        requireFinite(x, name);
    }

    /** Requires an exact shape, e.g. weights {@code [dOut, dIn]}. */
    public static void requireShape(INDArray x, String name, String layout, long... shape) {
        requireNonNull(x, name);
        if (!Arrays.equals(x.shape(), shape)) {
            throw new IllegalArgumentException(String.format(
                "%s: expected %s = %s, got %s", name, layout, Arrays.toString(shape), describe(x)));
        }
        requireFinite(x, name);
    }

    /** Requires a matrix (rank 2) of finite values, e.g. a weight matrix. */
    public static void requireMatrix(INDArray x, String name, String layout) {
        requireRank(x, name, layout, 2);
        requireFinite(x, name);
    }

    /** Requires a rank and nothing about the values (tables and plots may show NaN on purpose). */
    public static void requireRank(INDArray x, String name, String layout, int rank) {
        requireNonNull(x, name);
        if (x.rank() != rank) {
            throw new IllegalArgumentException(String.format(
                "%s: expected rank %d, %s, got shape %s (rank %d)", name, rank, layout, describe(x), x.rank()));
        }
    }

    /**
     * The kit's one data-type rule for modules with weights (see the package documentation): the input must have
     * the weights' type; nothing is cast silently.
     *
     * @param x       the input
     * @param name    how the message names it, e.g. {@code "LayerNorm input"}
     * @param weights the module's weights (any of them: a module's weights share one type)
     */
    public static void requireSameType(INDArray x, String name, INDArray weights) {
        requireNonNull(x, name);
        if (x.dataType() != weights.dataType()) {
            throw new IllegalArgumentException(String.format(
                "%s %s is %s but the module's weights are %s, and the kit never casts silently: cast the input "
                + "(x.castTo(DataType.%s)) or build the module in %s", name, describe(x), x.dataType(),
                weights.dataType(), weights.dataType(), x.dataType()));
        }
    }

    /**
     * The one check of an attention call's inputs, for every form of attention in the kit:
     * {@code queries [(lead..,) queries, dK]}, {@code keys [(lead..,) keys, dK]} and {@code values [(lead..,) keys, dV]}
     * of one rank from 2 to {@code maxRank}, with the same leading (batch, heads) sizes, queries and keys of one width
     * {@code dK}, and as many values as keys. Every message names all three shapes. Values are not checked (see
     * {@link #requireFinite}).
     *
     * @param maxRank 3 for {@code [batch, tokens, d]}, 4 with a heads axis
     */
    public static void requireQueriesKeysValues(INDArray queries, INDArray keys, INDArray values, int maxRank) {
        requireNonNull(queries, "queries");
        requireNonNull(keys, "keys");
        requireNonNull(values, "values");
        String shapes = String.format("queries %s, keys %s, values %s", describe(queries), describe(keys), describe(values));
        for (INDArray x : new INDArray[] {queries, keys, values}) {
            if (x.rank() < 2 || x.rank() > maxRank) {
                throw new IllegalArgumentException(String.format("%s: expected %s of rank 2 to %d", shapes,
                    maxRank > 3 ? "[(batch, (heads,)) tokens, d]" : "[(batch,) tokens, d]", maxRank));
            }
        }
        int rank = queries.rank();
        if (keys.rank() != rank || values.rank() != rank) {
            throw new IllegalArgumentException(shapes + ": all three need the same rank");
        }
        for (int axis = 0; axis < rank - 2; axis++) {
            if (queries.size(axis) != keys.size(axis) || keys.size(axis) != values.size(axis)) {
                throw new IllegalArgumentException(shapes + ": all three need the same batch (and heads) sizes");
            }
        }
        if (queries.size(-1) != keys.size(-1)) {
            throw new IllegalArgumentException(shapes + ": queries and keys need the same last dimension dK");
        }
        if (keys.size(-2) != values.size(-2)) {
            throw new IllegalArgumentException(shapes + ": keys and values need the same number of tokens");
        }
    }

    /** Requires every value to be finite: a NaN or infinity in an input is always a bug upstream. */
    public static void requireFinite(INDArray x, String name) {
        requireNonNull(x, name);
        if (!x.dataType().isFPType() || x.isEmpty()) {
            return;
        }
        // The sum is a cheap first test; only a non-finite sum pays for the exact count.
        if (Double.isFinite(x.sumNumber().doubleValue())) {
            return;
        }
        long nan = count(x.isNaN());
        long inf = count(x.isInfinite());
        if (nan > 0 || inf > 0) {
            throw new IllegalArgumentException(String.format(
                "%s %s contains %d NaN and %d infinite value(s)", name, describe(x), nan, inf));
        }
    }

    private static long count(INDArray booleans) {
        return booleans.castTo(DataType.LONG).sumNumber().longValue();
    }

    private static void requireNonNull(INDArray x, String name) {
        if (x == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }
}
