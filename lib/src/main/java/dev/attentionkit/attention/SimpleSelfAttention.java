package dev.attentionkit.attention;

import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.tensor.Softmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Self-attention with no trainable weights (book section 3.3): every token is its own query, key and
 * value. The score of token j for query i is the dot product {@code x_i · x_j}; softmax turns a row of
 * scores into weights; the context vector of token i is the weighted sum of all inputs.
 *
 * <p>There is no {@code 1/sqrt(d)} scaling here, as in the book: scaling arrives with trainable weights.
 */
public final class SimpleSelfAttention {
    private SimpleSelfAttention() {}

    /**
     * The attention scores of one query token against every token (book 3.3.1, {@code attn_scores_2}).
     *
     * @param inputs {@code [tokens, d]}
     * @param query  index of the query token, {@code 0 <= query < tokens}
     * @return {@code [tokens]}
     */
    public static INDArray scoresFor(INDArray inputs, int query) {
        INDArray x = requireMatrixInputs(inputs);
        INDArray q = row(x, query);
        return x.mmul(q.reshape(q.length(), 1)).reshape(x.size(0)); // [tokens, d] · [d, 1]
    }

    /**
     * The attention weights of one query: {@link #scoresFor} normalised with softmax.
     *
     * @param inputs {@code [tokens, d]}
     * @return {@code [tokens]}, positive, summing to 1
     */
    public static INDArray weightsFor(INDArray inputs, int query) {
        return Softmax.lastAxis(scoresFor(inputs, query));
    }

    /**
     * The context vector of one query: {@code sum_j weights[j] * x_j}.
     *
     * @param inputs {@code [tokens, d]}
     * @return {@code [d]}
     */
    public static INDArray contextFor(INDArray inputs, int query) {
        INDArray w = weightsFor(inputs, query);
        return w.reshape(1, w.length()).mmul(inputs).reshape(inputs.size(1)); // [1, tokens] · [tokens, d]
    }

    /**
     * All scores at once (book 3.3.2): {@code X · Xᵀ}.
     *
     * @param inputs {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @return {@code [tokens, tokens]} or {@code [batch, tokens, tokens]}
     */
    public static INDArray scores(INDArray inputs) {
        Shapes.requireSequence(inputs, "inputs", -1, "[batch, tokens, d]");
        return ScaledDotProductAttention.scores(inputs, inputs);
    }

    /**
     * All attention weights: softmax of {@link #scores} over the last axis.
     *
     * @param inputs {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @return {@code [(batch,) tokens, tokens]}; every row sums to 1
     */
    public static INDArray weights(INDArray inputs) {
        return Softmax.lastAxis(scores(inputs));
    }

    /**
     * All context vectors: {@code weights · X}.
     *
     * @param inputs {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @return the same shape as {@code inputs}
     */
    public static INDArray contextVectors(INDArray inputs) {
        return Nd4j.matmul(weights(inputs), inputs);
    }

    private static INDArray requireMatrixInputs(INDArray inputs) {
        Shapes.requireMatrix(inputs, "inputs", "[tokens, d]");
        return inputs;
    }

    private static INDArray row(INDArray x, int i) {
        if (i < 0 || i >= x.size(0)) {
            throw new IllegalArgumentException(String.format(
                "query index %d is out of range for inputs %s: use 0 to %d", i, Shapes.describe(x), x.size(0) - 1));
        }
        return x.get(NDArrayIndex.point(i), NDArrayIndex.all());
    }
}
