package dev.attentionkit.longrange;

import dev.attentionkit.transformer.LayerNorm;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link LayerNorm} with its backward pass: {@code y = γ ⊙ x̂ + β}, {@code x̂ = (x − μ)/σ} per row, and
 * {@code dx = (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ} with {@code dx̂ = dy ⊙ γ}.
 */
public final class LayerNormStep {
    private final INDArray gamma;   // [d]
    private final INDArray beta;    // [d]
    private final double eps;
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private INDArray normalised;    // x̂ [n, d]
    private INDArray inverseStd;    // 1/σ [n, 1]

    public LayerNormStep(LayerNorm plain) {
        this.gamma = plain.gamma().dup();
        this.beta = plain.beta().dup();
        this.eps = plain.eps();
    }

    public LayerNormStep castTo(org.nd4j.linalg.api.buffer.DataType type) {
        return new LayerNormStep(LayerNorm.fromWeights(gamma.castTo(type), beta.castTo(type), eps));
    }

    /** @param x {@code [n, d]} @return {@code [n, d]} */
    public INDArray forward(INDArray x) {
        long n = x.size(0);
        INDArray centred = x.subColumnVector(x.mean(1).reshape(n, 1));
        INDArray variance = centred.mul(centred).mean(1).reshape(n, 1);     // biased, as PyTorch
        inverseStd = Transforms.pow(variance.addi(eps), -0.5, false);
        normalised = centred.muliColumnVector(inverseStd);
        return normalised.mulRowVector(gamma).addiRowVector(beta);
    }

    /** @param dy {@code [n, d]} @return dx {@code [n, d]}; dγ, dβ in {@link #gradients()} */
    public INDArray backward(INDArray dy) {
        if (normalised == null) {
            throw new IllegalStateException("LayerNormStep.backward: call forward first");
        }
        long n = dy.size(0);
        gradients.clear();
        gradients.put("gamma", dy.mul(normalised).sum(0));
        gradients.put("beta", dy.sum(0));
        INDArray dNorm = dy.mulRowVector(gamma);
        INDArray mean = dNorm.mean(1).reshape(n, 1);
        INDArray meanDot = dNorm.mul(normalised).mean(1).reshape(n, 1);
        return dNorm.subiColumnVector(mean).subi(normalised.mulColumnVector(meanDot)).muliColumnVector(inverseStd);
    }

    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("gamma", gamma);
        p.put("beta", beta);
        return p;
    }

    public Map<String, INDArray> gradients() {
        return gradients;
    }

    LayerNorm toPlain() {
        return LayerNorm.fromWeights(gamma.dup(), beta.dup(), eps);
    }
}
