package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.mask.MaskFill;
import dev.attentionkit.tensor.Softmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns scores into attention weights: the second step of an {@link AttentionLayer}. Softmax over the keys
 * is the standard choice; with a mask it is the masked softmax.
 */
@FunctionalInterface
public interface Normalization {
    /**
     * @param scores {@code [(batch,) queries, keys]}
     * @param mask   {@code [(batch,) queries, keys]}, true = attend, or null for none
     * @return weights of the shape of {@code scores}
     */
    INDArray weights(INDArray scores, Mask mask);

    /** Softmax over the keys; masked positions filled with {@code -∞} first, as the book does. */
    static Normalization softmax() {
        return softmax(MaskFill.NEGATIVE_INFINITY);
    }

    /**
     * Softmax over the keys with the given masking convention. A fully masked row gives zero weights with
     * either convention.
     */
    static Normalization softmax(MaskFill fill) {
        return (scores, mask) -> mask == null ? Softmax.lastAxis(scores) : mask.softmax(scores, fill);
    }
}
