package dev.attentionkit.transformer;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The position-wise feed-forward network of a transformer block: the same two-layer network on every token,
 *
 * <pre>
 * h = relu(x · W1ᵀ + b1)     [.., hidden]     (hidden is usually 4·d)
 * y = h · W2ᵀ + b2           [.., d]
 * </pre>
 *
 * The original transformer uses ReLU, as here; GPT-2 uses GELU. Attention only mixes tokens by weighted sums;
 * this is where each token's features are transformed non-linearly.
 */
public final class FeedForward implements NamedParameters {
    private final Linear fc1; // [hidden, d]
    private final Linear fc2; // [d, hidden]

    private FeedForward(Linear fc1, Linear fc2) {
        this.fc1 = fc1;
        this.fc2 = fc2;
    }

    /** {@code nn.Linear(d, hidden)} then {@code nn.Linear(hidden, d)} after {@code torch.manual_seed(seed)}. */
    public static FeedForward fromSeed(long d, long hidden, long seed) {
        TorchRandom random = TorchRandom.manualSeed(seed);
        Linear fc1 = Linear.init(d, hidden, true, random);
        return new FeedForward(fc1, Linear.init(hidden, d, true, random));
    }

    /** @param fc1 {@code d → hidden}; @param fc2 {@code hidden → d} (used as they are) */
    public static FeedForward fromLayers(Linear fc1, Linear fc2) {
        if (fc2.inFeatures() != fc1.outFeatures() || fc2.outFeatures() != fc1.inFeatures()) {
            throw new IllegalArgumentException(String.format("FeedForward: expected fc1 d → hidden and fc2 hidden → d, "
                + "got fc1 %d → %d and fc2 %d → %d", fc1.inFeatures(), fc1.outFeatures(), fc2.inFeatures(),
                fc2.outFeatures()));
        }
        return new FeedForward(fc1, fc2);
    }

    /**
     * @param x {@code [tokens, d]} or {@code [batch, tokens, d]}
     * @return the same shape
     */
    public INDArray forward(INDArray x) {
        INDArray h = Transforms.relu(fc1.forward(x), false);    // [.., hidden]
        return fc2.forward(h);                                   // [.., d]
    }

    public Linear fc1() {
        return fc1;
    }

    public Linear fc2() {
        return fc2;
    }

    public long d() {
        return fc1.inFeatures();
    }

    public long hidden() {
        return fc1.outFeatures();
    }

    /** {@code fc1.weight}, {@code fc1.bias}, {@code fc2.weight}, {@code fc2.bias}; live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("fc1", fc1).add("fc2", fc2).build();
    }

    @Override
    public String toString() {
        return "FeedForward(d=" + d() + ", hidden=" + hidden() + ", relu)";
    }
}
