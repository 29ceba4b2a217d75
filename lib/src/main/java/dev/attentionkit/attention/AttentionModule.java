package dev.attentionkit.attention;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.NamedParameters;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every attention module of the course is, whatever it computes inside: the one contract that the
 * transformer block, the trainable twins and the readers of weights build on (PyTorch's {@code nn.Module} with
 * {@code forward}, {@code train()}, {@code eval()} and a {@code state_dict}, for attention).
 *
 * <ul>
 * <li>{@link #attend(INDArray, Mask)} is <b>self-attention</b>: queries, keys and values all come from {@code x}.
 *     A causal module ({@link #isCausal()}: the book's {@code CausalAttention}, the wrapper, {@code MultiHeadAttention},
 *     the fused forms) always adds its causal mask to the one passed; a non-causal one uses only the mask passed.
 *     Cross-attention has a name of its own, {@link CrossAttentionModule#crossAttend}, and is never causal.</li>
 * <li>The weights come back with the output ({@link AttentionOutput}), so they can be read and drawn.</li>
 * <li>{@link #train()} and {@link #eval()} switch dropout on and off, as in PyTorch; modules start in training mode.</li>
 * <li>{@link #parameters()} names every trainable array the way PyTorch's {@code state_dict()} does
 *     ({@code W_query.weight}, {@code out_proj.bias}, ...) and returns the <em>live</em> arrays: writing into one
 *     changes what the module computes. Weights are never silently copied behind the module's back.</li>
 * </ul>
 */
public interface AttentionModule extends NamedParameters {

    /**
     * Self-attention over {@code x}, with the module's own causal mask when it has one.
     *
     * @param x    {@code [batch, tokens, dIn]} (or {@code [tokens, dIn]}, the book's unbatched form)
     * @param mask which keys each query may see, {@code [tokens, tokens]} or {@code [batch, tokens, tokens]}
     *             (true = attend), combined by {@code and} with the causal mask of a causal module; or null
     * @return context {@code [(batch,) tokens, dOut]} and weights {@code [(batch,) tokens, tokens]}, with a heads
     *         axis {@code [(batch,) heads, tokens, tokens]} for multi-head modules
     */
    AttentionOutput attend(INDArray x, Mask mask);

    /** {@link #attend(INDArray, Mask)} with no mask beyond the module's own. */
    default AttentionOutput attend(INDArray x) {
        return attend(x, null);
    }

    /**
     * The context vectors alone, as the book's {@code forward}.
     *
     * @param x {@code [batch, tokens, dIn]} or {@code [tokens, dIn]}
     * @return {@code [(batch,) tokens, dOut]}
     */
    default INDArray forward(INDArray x) {
        return attend(x).context();
    }

    /** Features of each input token. */
    long dIn();

    /** Features of each context vector. */
    long dOut();

    /** Heads computed side by side: 1 unless the module is multi-head (the weights then have a heads axis). */
    default int numHeads() {
        return 1;
    }

    /** Features per head, {@code dOut / numHeads} (the {@code d_k} that scales the scores of a split module). */
    default long headDim() {
        return dOut() / numHeads();
    }

    /** Whether {@link #attend} hides later tokens from earlier ones (a decoder's self-attention). */
    boolean isCausal();

    /** Dropout on, as {@code module.train()}; returns this module. */
    AttentionModule train();

    /** Dropout off, as {@code module.eval()}; returns this module. */
    AttentionModule eval();

    /** Whether dropout is on. */
    boolean isTraining();

    /**
     * Every trainable array by its PyTorch {@code state_dict} name, in PyTorch's order; the live arrays, not
     * copies. {@link #parameterCount()} counts them ({@link NamedParameters}).
     */
    @Override
    Map<String, INDArray> parameters();
}
