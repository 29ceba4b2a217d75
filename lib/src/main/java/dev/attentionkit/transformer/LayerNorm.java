package dev.attentionkit.transformer;

import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalisation over the last axis, as PyTorch's {@code nn.LayerNorm(d)}:
 *
 * <pre>
 * mean = x.mean(-1)                       [.., 1]
 * var  = ((x - mean)²).mean(-1)           [.., 1]   biased: divided by d, not d - 1
 * y    = (x - mean) / sqrt(var + eps) · gamma + beta      [.., d]
 * </pre>
 *
 * Every token is normalised on its own: nothing mixes tokens or examples, unlike batch normalisation.
 */
public final class LayerNorm implements NamedParameters {
    /** PyTorch's default. */
    public static final double DEFAULT_EPS = 1e-5;

    private final INDArray gamma; // [d]
    private final INDArray beta;  // [d]
    private final double eps;

    private LayerNorm(INDArray gamma, INDArray beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    /** gamma = 1, beta = 0, as {@code nn.LayerNorm(d)} starts. */
    public static LayerNorm of(long d) {
        if (d <= 0) {
            throw new IllegalArgumentException("LayerNorm: d must be positive, got " + d);
        }
        return new LayerNorm(Nd4j.ones(DataType.FLOAT, d), Nd4j.zeros(DataType.FLOAT, d), DEFAULT_EPS);
    }

    /**
     * @param gamma {@code [d]}, copied
     * @param beta  {@code [d]}, copied
     * @param eps   added to the variance, positive
     */
    public static LayerNorm fromWeights(INDArray gamma, INDArray beta, double eps) {
        Shapes.requireRank(gamma, "gamma", "[d]", 1);
        Shapes.requireShape(beta, "beta", "[d]", gamma.length());
        if (!(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: eps must be positive, got " + eps);
        }
        return new LayerNorm(gamma.dup('c'), beta.dup('c'), eps);
    }

    /**
     * @param x {@code [.., d]} (any rank from 1)
     * @return the same shape, each last-axis row normalised
     */
    public INDArray forward(INDArray x) {
        if (x.rank() < 1 || x.size(-1) != d()) {
            throw new IllegalArgumentException(String.format("LayerNorm: expected x [.., d] with d = %d, got %s",
                d(), Shapes.describe(x)));
        }
        Shapes.requireSameType(x, "LayerNorm input", gamma);
        long[] shape = x.shape();
        INDArray rows = x.reshape('c', x.length() / d(), d());                            // [n, d]
        INDArray mean = rows.mean(true, 1);                                                // [n, 1]
        INDArray centred = rows.subColumnVector(mean);                                     // [n, d]
        INDArray var = centred.mul(centred).mean(true, 1);                                 // [n, 1]
        INDArray std = Transforms.sqrt(var.add(eps), false);                               // [n, 1]
        INDArray y = centred.divColumnVector(std).muliRowVector(gamma).addiRowVector(beta); // [n, d]
        return y.reshape('c', shape);
    }

    /** The live scale {@code [d]}. */
    public INDArray gamma() {
        return gamma;
    }

    /** The live shift {@code [d]}. */
    public INDArray beta() {
        return beta;
    }

    public double eps() {
        return eps;
    }

    public long d() {
        return gamma.length();
    }

    /** {@code weight} (gamma) and {@code bias} (beta), as PyTorch's {@code nn.LayerNorm} names them; live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("weight", gamma).add("bias", beta).build();
    }

    @Override
    public String toString() {
        return "LayerNorm(d=" + d() + ", eps=" + eps + ")";
    }
}
