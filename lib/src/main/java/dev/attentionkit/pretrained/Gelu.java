package dev.attentionkit.pretrained;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact GELU BERT uses ({@code hidden_act = "gelu"}, PyTorch's {@code nn.GELU()} default):
 * {@code gelu(x) = x · Φ(x) = 0.5 · x · (1 + erf(x / √2))}, not the tanh or sigmoid approximation.
 */
public final class Gelu {
    private Gelu() {}

    /** Element-wise, any shape; returns a new array. */
    public static INDArray apply(INDArray x) {
        INDArray erf = Nd4j.exec(new Erf(x.div(Math.sqrt(2.0))));   // erf(x / √2)
        return erf.addi(1.0).muli(x).muli(0.5);
    }
}
