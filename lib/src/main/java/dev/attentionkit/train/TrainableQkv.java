package dev.attentionkit.train;

import dev.attentionkit.attention.AttentionModule;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What the twins of the Q/K/V attention modules share: the plain module's named parameters as variables
 * ({@link TrainableParameters}, taken from {@link AttentionModule#parameters()}) and the three projections
 * {@code W_query}, {@code W_key}, {@code W_value} read from them by name. Each twin still says in its own file how
 * it attends.
 *
 * @param <P> the plain module it twins
 */
abstract class TrainableQkv<P extends AttentionModule> {
    final P plain;
    final TrainableParameters parameters;
    final TrainableLinear query;   // W_query [dOut, dIn]
    final TrainableLinear key;     // W_key   [dOut, dIn]
    final TrainableLinear value;   // W_value [dOut, dIn]
    private final long contextLength;

    TrainableQkv(SameDiff sd, String name, P plain, long contextLength) {
        this.plain = plain;
        this.parameters = TrainableParameters.of(sd, name, plain.parameters());
        this.query = parameters.linear("W_query");
        this.key = parameters.linear("W_key");
        this.value = parameters.linear("W_value");
        this.contextLength = contextLength;
    }

    /** The token count of {@code x [batch, tokens, dIn]}, known when the graph is built and within the context. */
    final long selfTokens(SDVariable x) {
        String what = getClass().getSimpleName();
        long tokens = TrainableScaledDotProductAttention.size(x, 2, what + " input x");
        if (tokens > contextLength) {
            throw new IllegalArgumentException(what + ": " + tokens + " tokens exceed contextLength " + contextLength);
        }
        return tokens;
    }

    /**
     * Every variable by the plain module's state_dict name ({@code W_query.weight}, ...), named
     * {@code name.W_query.weight} in the graph.
     */
    public TrainableParameters parameters() {
        return parameters;
    }

    /**
     * Writes the current (trained) values into {@code target}'s live parameters (the plain module this twin was
     * built from, or any module with the same state_dict names and shapes); returns {@code target}.
     */
    public <M extends AttentionModule> M copyInto(M target) {
        parameters.copyInto(target.parameters());
        return target;
    }

    /** {@code W_query}: weight {@code [dOut, dIn]}. */
    public TrainableLinear query() {
        return query;
    }

    /** {@code W_key}: weight {@code [dOut, dIn]}. */
    public TrainableLinear key() {
        return key;
    }

    /** {@code W_value}: weight {@code [dOut, dIn]}. */
    public TrainableLinear value() {
        return value;
    }
}
