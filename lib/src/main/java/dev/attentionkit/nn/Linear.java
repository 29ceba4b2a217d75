package dev.attentionkit.nn;

import dev.attentionkit.tensor.Shapes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer with PyTorch's {@code nn.Linear} conventions: the weight is stored
 * {@code [out, in]} and applied as {@code y = x · Wᵀ + b}.
 *
 * <p>Keeping PyTorch's layout means a learner can copy a weight printed by PyTorch straight in, and the
 * seeded initialisation reproduces {@code nn.Linear(in, out)} after {@code torch.manual_seed}.
 */
public final class Linear implements NamedParameters {
    private final INDArray weight; // [out, in]
    private final INDArray bias;   // [out], or null

    private Linear(INDArray weight, INDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A layer with the given weights (copied, so later changes to the arguments do not leak in).
     *
     * @param weight {@code [out, in]}, PyTorch's layout
     * @param bias   {@code [out]}, or {@code null} for no bias
     */
    public static Linear fromWeights(INDArray weight, INDArray bias) {
        Shapes.requireMatrix(weight, "weight", "[out, in]");
        if (bias != null) {
            Shapes.requireShape(bias, "bias", "[out]", weight.size(0));
        }
        return new Linear(weight.dup('c'), bias == null ? null : bias.dup('c'));
    }

    /**
     * The layer {@code nn.Linear(in, out, bias)} creates, drawing from {@code random} exactly as PyTorch
     * does: weight then bias, each {@code uniform(-1/sqrt(in), 1/sqrt(in))} (Kaiming-uniform with
     * {@code a = sqrt(5)} reduces to that bound).
     */
    public static Linear init(long in, long out, boolean bias, TorchRandom random) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: in and out must be positive, got in=" + in + ", out=" + out);
        }
        double bound = 1.0 / Math.sqrt(in);
        INDArray w = random.uniform(-bound, bound, out, in);
        INDArray b = bias ? random.uniform(-bound, bound, out) : null;
        return new Linear(w, b);
    }

    /**
     * Applies the layer to the last axis.
     *
     * @param x {@code [tokens, in]} or {@code [batch, tokens, in]}
     * @return {@code [tokens, out]} or {@code [batch, tokens, out]}
     */
    public INDArray forward(INDArray x) {
        Shapes.requireSequence(x, "Linear input", inFeatures(), "[batch, tokens, in]");
        Shapes.requireSameType(x, "Linear input", weight);
        long[] outShape = x.shape().clone();
        outShape[outShape.length - 1] = outFeatures();
        INDArray flat = x.reshape('c', x.length() / inFeatures(), inFeatures());
        // Nd4j.matmul with transposeB is several times faster than mmul on a transposed view in ND4J M2.1.
        INDArray y = Nd4j.matmul(flat, weight, false, true, false);   // [rows, out]
        if (bias != null) {
            y.addiRowVector(bias);
        }
        return y.reshape('c', outShape);
    }

    /** The weight, {@code [out, in]} (the live array: changing it changes the layer). */
    public INDArray weight() {
        return weight;
    }

    /** The bias, {@code [out]}, if the layer has one. */
    public Optional<INDArray> bias() {
        return Optional.ofNullable(bias);
    }

    public long inFeatures() {
        return weight.size(1);
    }

    public long outFeatures() {
        return weight.size(0);
    }

    /** {@code weight}, then {@code bias} if the layer has one, as {@code nn.Linear}'s {@code state_dict}; live. */
    @Override
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> named = new LinkedHashMap<>();
        named.put("weight", weight);
        if (bias != null) {
            named.put("bias", bias);
        }
        return named;
    }

    /**
     * Adds this layer's arrays to {@code named} as PyTorch's {@code named_parameters(prefix)} names them:
     * {@code prefix.weight}, then {@code prefix.bias} if the layer has one (the live arrays).
     */
    public void addParametersTo(Map<String, INDArray> named, String prefix) {
        parameters().forEach((name, array) -> named.put(prefix + "." + name, array));
    }

    @Override
    public String toString() {
        return "Linear(in=" + inFeatures() + ", out=" + outFeatures() + ", bias=" + (bias != null) + ")";
    }
}
