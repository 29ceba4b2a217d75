package dev.attentionkit.nn;

import java.util.LinkedHashMap;
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

    /** An empty {@link Builder}: how a module lists its parts and arrays, in the order of its forward pass. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * A module's {@code state_dict}, part by part, named the way PyTorch names a module's children: a part
     * {@code fc1} contributes {@code fc1.weight}, {@code fc1.bias}; an array is named as given. The one place that
     * convention is written.
     */
    final class Builder {
        private final Map<String, INDArray> named = new LinkedHashMap<>();

        private Builder() {}

        /** Every parameter of {@code part} as {@code name.<its name>} (the live arrays). */
        public Builder add(String name, NamedParameters part) {
            part.parameters().forEach((key, array) -> named.put(name + "." + key, array));
            return this;
        }

        /** One array (a {@code nn.Parameter} of the module itself) under {@code name} (the live array). */
        public Builder add(String name, INDArray array) {
            named.put(name, array);
            return this;
        }

        /** The names and live arrays, in the order they were added (a new, modifiable map). */
        public Map<String, INDArray> build() {
            return new LinkedHashMap<>(named);
        }
    }
}
