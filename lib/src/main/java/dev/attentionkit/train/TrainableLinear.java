package dev.attentionkit.train;

import dev.attentionkit.nn.Linear;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Linear} layer as SameDiff variables, so autodiff and an updater such as Adam can train it.
 *
 * <p>The plain {@link Linear} stays the definition: the variables start as copies of its weight
 * {@code [out, in]} and bias {@code [out]}, the forward pass is the same {@code y = x · Wᵀ + b}, and
 * {@link #toPlain()} hands the trained values back as a plain layer.
 */
public final class TrainableLinear {
    private final SDVariable weight; // [out, in]
    private final SDVariable bias;   // [out], or null

    private TrainableLinear(SDVariable weight, SDVariable bias) {
        this.weight = java.util.Objects.requireNonNull(weight, "weight");
        if (bias != null && (weight.getShape() == null || bias.getShape() == null
            || bias.getShape().length != 1 || bias.getShape()[0] != weight.getShape()[0])) {
            throw new IllegalArgumentException("TrainableLinear: bias " + java.util.Arrays.toString(bias.getShape())
                + " does not fit weight " + java.util.Arrays.toString(weight.getShape()) + " [out, in]");
        }
        this.bias = bias;
    }

    /**
     * Variables {@code name.weight} and (if the layer has one) {@code name.bias} in {@code sd}, initialised
     * from copies of {@code plain}'s arrays.
     */
    public static TrainableLinear from(SameDiff sd, String name, Linear plain) {
        SDVariable w = sd.var(name + ".weight", plain.weight().dup('c'));
        SDVariable b = plain.bias().map(x -> sd.var(name + ".bias", x.dup('c'))).orElse(null);
        return new TrainableLinear(w, b);
    }

    /** A layer over existing variables: {@code weight [out, in]} and {@code bias [out]} or null. */
    static TrainableLinear of(SDVariable weight, SDVariable bias) {
        return new TrainableLinear(weight, bias);
    }

    /**
     * @param x {@code [batch, tokens, in]}
     * @return {@code [batch, tokens, out]}
     */
    public SDVariable forward(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        // Flattened to rows so that one matrix product serves any batch size and token count.
        SDVariable y = forwardRows(x.reshape(-1, inFeatures()));                       // [b·t, out]
        SDVariable batchAndTokens = x.shape().get(SDIndex.interval(0, 2));            // [b, t]
        return y.reshape(sd.concat(0, batchAndTokens, sd.constant(Nd4j.createFromArray(outFeatures()))));
    }

    /**
     * @param x {@code [rows, in]}
     * @return {@code [rows, out]}
     */
    public SDVariable forwardRows(SDVariable x) {
        SDVariable y = x.getSameDiff().mmul(x, weight, false, true, false);           // x · Wᵀ
        return bias == null ? y : y.add(bias);
    }

    /** A plain layer holding the current (trained) values, copied. */
    public Linear toPlain() {
        return Linear.fromWeights(weight.getArr(), bias == null ? null : bias.getArr());
    }

    /** The weight variable, {@code [out, in]}. */
    public SDVariable weight() {
        return weight;
    }

    /** The bias variable, {@code [out]}, or null. */
    public SDVariable bias() {
        return bias;
    }

    public long inFeatures() {
        return weight.getShape()[1];
    }

    public long outFeatures() {
        return weight.getShape()[0];
    }

}
