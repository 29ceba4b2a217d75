package dev.attentionkit.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A module with trainable arrays, named as PyTorch's {@code state_dict()} names them ({@code W_query.weight},
 * {@code ln1.bias}, ...): what saving and loading by name, the trainable twins and the parameter count read, written
 * once for every module (attention, layer norm, feed-forward, transformer block, the scores with weights).
 */
public interface NamedParameters {

    /**
     * Every trainable array by its PyTorch {@code state_dict} name, in PyTorch's order; the <em>live</em> arrays, not
     * copies: writing into one changes what the module computes.
     */
    Map<String, INDArray> parameters();

    /** {@code sum(p.numel() for p in module.parameters())}. */
    default long parameterCount() {
        return parameters().values().stream().mapToLong(INDArray::length).sum();
    }
}
