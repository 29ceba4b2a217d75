package dev.attentionkit.mask;

import dev.attentionkit.tensor.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hides padding: of {@code keys} positions only the first {@code validLength} hold real tokens, the rest
 * pad a short sequence to the batch's length and must get no weight (d2l's {@code valid_lens}).
 */
public final class PaddingMask {
    private PaddingMask() {}

    /**
     * One valid length per batch element, shared by all its queries (d2l: {@code valid_lens} of shape
     * {@code [batch]}).
     *
     * @param validLengths {@code [batch]}, each in {@code 0..keys}; 0 hides every key (zero weights)
     * @return {@code [batch, queries, keys]}
     */
    public static Mask validLengths(long queries, long keys, int... validLengths) {
        int[][] perQuery = new int[validLengths.length][(int) queries];
        for (int b = 0; b < validLengths.length; b++) {
            Arrays.fill(perQuery[b], validLengths[b]);
        }
        return validLengths(keys, perQuery);
    }

    /**
     * One valid length per query (d2l: {@code valid_lens} of shape {@code [batch, queries]}).
     *
     * @param validLengths {@code [batch][queries]}, each in {@code 0..keys}
     * @return {@code [batch, queries, keys]}
     */
    public static Mask validLengths(long keys, int[][] validLengths) {
        if (validLengths.length == 0 || validLengths[0].length == 0) {
            throw new IllegalArgumentException("validLengths: expected [batch][queries] with batch, queries > 0");
        }
        int queries = validLengths[0].length;
        CausalMask.requirePositive(queries, keys);
        boolean[][][] keep = new boolean[validLengths.length][queries][(int) keys];
        for (int b = 0; b < validLengths.length; b++) {
            if (validLengths[b].length != queries) {
                throw new IllegalArgumentException(String.format(
                    "validLengths: row %d has %d queries, row 0 has %d", b, validLengths[b].length, queries));
            }
            for (int i = 0; i < queries; i++) {
                int valid = validLengths[b][i];
                if (valid < 0 || valid > keys) {
                    throw new IllegalArgumentException(String.format(
                        "validLengths[%d][%d] = %d is outside 0..%d (keys)", b, i, valid, keys));
                }
                Arrays.fill(keep[b][i], 0, valid, true);
            }
        }
        return Mask.of(Nd4j.createFromArray(keep));
    }

    /**
     * From a key-padding mask as ND4J's attention ops and Hugging Face's {@code attention_mask} take it.
     *
     * @param keyMask {@code [batch, keys]}, 1 = real token, 0 = padding
     * @return {@code [batch, queries, keys]}: every query sees the same keys
     */
    public static Mask fromKeyMask(INDArray keyMask, long queries) {
        if (keyMask == null || keyMask.rank() != 2) {
            throw new IllegalArgumentException(String.format(
                "keyMask: expected [batch, keys], got shape %s", Shapes.describe(keyMask)));
        }
        long batch = keyMask.size(0);
        long keys = keyMask.size(1);
        INDArray repeated = keyMask.reshape(batch, 1, keys).repeat(1, queries); // [b, q, k]
        return Mask.of(repeated);
    }
}
