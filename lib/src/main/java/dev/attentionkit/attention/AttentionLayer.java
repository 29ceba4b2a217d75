package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.score.ScoreFunction;
import dev.attentionkit.tensor.Shapes;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One attention layer assembled from swappable parts, in the order they act:
 *
 * <pre>
 * scores  = score(queries, keys)             [b, q, k]   ScoreFunction (dot, scaled, additive, ...)
 * weights = normalization(scores, mask)      [b, q, k]   softmax / masked softmax, Mask (causal, padding, ...)
 * weights = dropout(weights)                 [b, q, k]   Dropout, optional
 * context = weights · values                 [b, q, dV]  weighted sum
 * </pre>
 *
 * <pre>{@code
 * AttentionLayer layer = AttentionLayer.builder()
 *     .score(AdditiveScore.fromSeed(4, 4, 8, 0))
 *     .mask(CausalMask.of(6))
 *     .dropout(Dropout.of(0.1, 42))
 *     .build();
 * AttentionOutput out = layer.attend(queries, keys, values);
 * }</pre>
 */
public final class AttentionLayer {
    private final ScoreFunction score;
    private final Mask mask;
    private final Normalization normalization;
    private final Dropout dropout;

    private AttentionLayer(Builder b) {
        this.score = b.score;
        this.mask = b.mask;
        this.normalization = b.normalization;
        this.dropout = b.dropout;
    }

    /** A builder with scaled dot-product scores, softmax, no mask and no dropout. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param queries {@code [queries, dQ]} or {@code [batch, queries, dQ]}
     * @param keys    {@code [keys, dK]} or {@code [batch, keys, dK]}
     * @param values  {@code [keys, dV]} or {@code [batch, keys, dV]}
     * @return context {@code [(batch,) queries, dV]} and weights {@code [(batch,) queries, keys]}
     */
    public AttentionOutput attend(INDArray queries, INDArray keys, INDArray values) {
        return attend(queries, keys, values, null);
    }

    /**
     * Like {@link #attend(INDArray, INDArray, INDArray)}, with a per-call mask combined ({@code and}) with the
     * layer's own, e.g. padding for this batch.
     *
     * @param extra {@code [(batch,) queries, keys]}, true = attend, or null
     */
    public AttentionOutput attend(INDArray queries, INDArray keys, INDArray values, Mask extra) {
        Shapes.requireSequence(values, "values", -1, "[batch, keys, dV]");
        if (keys == null || values.rank() != keys.rank() || values.size(-2) != keys.size(-2)
            || (values.rank() == 3 && values.size(0) != keys.size(0))) {
            throw new IllegalArgumentException(String.format(
                "keys %s and values %s need the same rank, batch and number of tokens",
                Shapes.describe(keys), Shapes.describe(values)));
        }
        INDArray scores = score.scores(queries, keys);                   // [b, q, k]
        Mask combined = mask == null ? extra : extra == null ? mask : mask.and(extra);
        if (combined != null) {
            combined.requireFits(scores);
        }
        INDArray weights = normalization.weights(scores, combined);       // [b, q, k]
        if (dropout != null) {
            weights = dropout.forward(weights);
        }
        INDArray context = Nd4j.matmul(weights, values);                  // [b, q, dV]
        return new AttentionOutput(context, weights);
    }

    public ScoreFunction score() {
        return score;
    }

    /** The layer's own mask, or null. */
    public Mask mask() {
        return mask;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** The dropout on the weights, or null. */
    public Dropout dropout() {
        return dropout;
    }

    @Override
    public String toString() {
        return "AttentionLayer(score=" + score + ", mask=" + (mask == null ? "none" : Shapes.describe(mask.keep()))
            + ", dropout=" + (dropout == null ? "none" : dropout) + ")";
    }

    /** Collects the parts; every part has a default except what you set. */
    public static final class Builder {
        private ScoreFunction score = ScoreFunction.scaledDotProduct();
        private Mask mask;
        private Normalization normalization = Normalization.softmax();
        private Dropout dropout;

        private Builder() {}

        /** How queries and keys are compared (default: scaled dot product). */
        public Builder score(ScoreFunction score) {
            this.score = Objects.requireNonNull(score, "score");
            return this;
        }

        /** A mask applied on every call, {@code [(batch,) queries, keys]} (default: none). */
        public Builder mask(Mask mask) {
            this.mask = mask;
            return this;
        }

        /** How scores become weights (default: softmax, masked with {@code -∞}). */
        public Builder normalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Dropout on the weights (default: none). */
        public Builder dropout(Dropout dropout) {
            this.dropout = dropout;
            return this;
        }

        public AttentionLayer build() {
            return new AttentionLayer(this);
        }
    }
}
