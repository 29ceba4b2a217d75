package dev.attentionkit.pretrained;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.transformer.LayerNorm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One BERT encoder layer (post-LN, as in the original BERT and MiniLM):
 *
 * <pre>
 * a = MultiHeadAttention(x, x, padding mask)     [b, t, d]   non-causal: every token sees every token
 * h = LayerNorm(x + a)                           [b, t, d]
 * f = W_out · gelu(W_in · h + b_in) + b_out      [b, t, d]   d → 4d → d, exact (erf) GELU
 * y = LayerNorm(h + f)                           [b, t, d]
 * </pre>
 *
 * The attention is the course's {@link MultiHeadAttention} with biases on q, k and v; its output projection
 * is BERT's {@code attention.output.dense}.
 */
public final class BertLayer {
    /** The layer's output and its attention weights {@code [b, heads, t, t]}. */
    public record Output(INDArray hidden, INDArray attention) {}

    private final MultiHeadAttention attention;
    private final LayerNorm attentionNorm;
    private final Linear intermediate;
    private final Linear output;
    private final LayerNorm outputNorm;

    public BertLayer(MultiHeadAttention attention, LayerNorm attentionNorm, Linear intermediate, Linear output,
                     LayerNorm outputNorm) {
        this.attention = attention;
        this.attentionNorm = attentionNorm;
        this.intermediate = intermediate;
        this.output = output;
        this.outputNorm = outputNorm;
    }

    /**
     * @param x    {@code [batch, tokens, d]}
     * @param mask {@code [batch, tokens, tokens]} (true = attend; padding keys hidden), or null for none
     */
    public Output forward(INDArray x, Mask mask) {
        AttentionOutput a = attention.crossAttend(x, x, mask);                  // self, not causal: [b, t, d], [b, h, t, t]
        INDArray h = attentionNorm.forward(x.add(a.context()));                 // [b, t, d]
        INDArray f = output.forward(Gelu.apply(intermediate.forward(h)));       // [b, t, d]
        return new Output(outputNorm.forward(h.add(f)), a.weights());
    }

    public MultiHeadAttention attention() {
        return attention;
    }

    public LayerNorm attentionNorm() {
        return attentionNorm;
    }

    public Linear intermediate() {
        return intermediate;
    }

    public Linear output() {
        return output;
    }

    public LayerNorm outputNorm() {
        return outputNorm;
    }
}
